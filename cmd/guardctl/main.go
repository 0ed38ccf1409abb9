// Command guardctl is the operator's tool for guard: it validates
// configuration files, scans payloads with the detection engine, and lists,
// adds and removes bans and custom detection patterns in the Redis store that
// a fleet of engines shares.
//
//	guardctl validate -config FILE
//	guardctl scan [-where query|body|header|path|cookie] [-config FILE] [-json] [PAYLOAD ...]
//	guardctl scan -file FILE            one payload per line ("-" reads stdin)
//	guardctl scan -jsonl FILE           {"payload": ..., "location": ..., "encoded": ...} per line
//	guardctl bans list|add IP -duration 1h -reason R|remove IP [redis flags]
//	guardctl patterns list|add -id ID -category C -regex R [-weight W]|remove ID [redis flags]
//
// Redis flags: -redis URL (default $GUARD_REDIS_URL, else
// redis://127.0.0.1:6379), -prefix P (default $GUARD_REDIS_PREFIX, else
// "guard:"), or -config FILE to take redis_url and redis_prefix from a
// configuration file, and -timeout per Redis call.
//
// Exit status: 0 on success, 1 when the command ran and found a problem (an
// invalid configuration, a rejected pattern, a missing ban or pattern, a
// malformed JSON line), 2 on a usage error or when a file or Redis cannot be
// reached.
//
// guardctl lives in its own module (design §1 places it under core/cmd):
// it needs the Redis store, and go-redis must stay out of the core module's
// dependencies.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/redis/go-redis/v9"
)

func main() {
	// go-redis logs dial failures through a process-wide logger; guardctl
	// reports them itself, once.
	redis.SetLogger(quietLogger{})
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// quietLogger discards go-redis's internal log lines.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Exit codes.
const (
	exitOK      = 0
	exitProblem = 1
	exitUsage   = 2
)

// app holds the process's environment so that tests can run commands in
// isolation.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// run executes guardctl with args (without the program name) and returns
// the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return a.run(context.Background(), args)
}

const usage = `usage: guardctl <command> [flags]

commands:
  validate -config FILE                    check a configuration file, print every problem
  scan [flags] [PAYLOAD ...]               run payloads through the detection engine
  bans list | add IP | remove IP           manage bans in Redis
  patterns list | add | remove ID          manage custom detection patterns in Redis

Run "guardctl <command> -h" for the flags of a command.
`

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "validate":
		return a.validate(args[1:])
	case "scan":
		return a.scan(ctx, args[1:])
	case "bans":
		return a.bans(ctx, args[1:])
	case "patterns":
		return a.patterns(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(a.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(a.stderr, "guardctl: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parseArgs parses flags that may come before, between or after positional
// arguments ("bans add 192.0.2.1 -duration 1h") and returns the positional
// ones. Everything after "--" is positional, so a payload may start with '-'.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// newFlags returns a flag set that reports to stderr and does not exit.
func (a *app) newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "usage: guardctl %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// usageCode maps a flag parsing error to an exit code: -h is a success.
func usageCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

func (a *app) fail(code int, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "guardctl: "+format+"\n", args...)
	return code
}
