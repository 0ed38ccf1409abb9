package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	guard "github.com/guardgo/guard/core"
)

// validate loads a configuration file exactly as an engine would (defaults,
// GUARD_* environment overrides, validation) and prints every problem.
func (a *app) validate(args []string) int {
	flags := a.newFlags("validate", "validate -config FILE")
	path := flags.String("config", "", "configuration file (YAML or JSON)")
	pos, err := parseArgs(flags, args)
	if err != nil {
		return usageCode(err)
	}
	if *path == "" && len(pos) == 1 {
		*path = pos[0]
	} else if len(pos) > 0 {
		flags.Usage()
		return exitUsage
	}
	if *path == "" {
		flags.Usage()
		return exitUsage
	}
	if _, err := guard.LoadConfig(*path); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return a.fail(exitUsage, "validate: %v", err)
		}
		problems := problemsOf(err)
		fmt.Fprintf(a.stdout, "%s: invalid, %d problem(s):\n", *path, len(problems))
		for _, p := range problems {
			fmt.Fprintf(a.stdout, "  %s\n", strings.ReplaceAll(p, "\n", "\n  "))
		}
		return exitProblem
	}
	fmt.Fprintln(a.stdout, "ok")
	return exitOK
}

// problemsOf flattens LoadConfig's error (a wrapper around errors.Join of
// joins of field errors) into one message per problem.
func problemsOf(err error) []string {
	if u := errors.Unwrap(err); u != nil {
		if _, ok := u.(interface{ Unwrap() []error }); ok {
			err = u // drop the "config FILE is invalid:" preamble
		}
	}
	var out []string
	var walk func(error)
	walk = func(e error) {
		if m, ok := e.(interface{ Unwrap() []error }); ok {
			for _, c := range m.Unwrap() {
				walk(c)
			}
			return
		}
		out = append(out, e.Error())
	}
	walk(err)
	return out
}
