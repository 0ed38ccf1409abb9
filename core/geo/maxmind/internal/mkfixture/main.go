// Command mkfixture regenerates the country databases under testdata/geo:
//
//	cd core/geo/maxmind && go run ./internal/mkfixture -dir ../../../testdata/geo
//
// The output is reproducible; TestFixturesUpToDate fails when the committed
// files differ from what this command writes.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/guardgo/guard/core/geo/maxmind/internal/mmdbfixture"
)

func main() {
	dir := flag.String("dir", "../../../testdata/geo", "directory to write the .mmdb files to")
	flag.Parse()
	for name, layout := range mmdbfixture.Files() {
		data, err := mmdbfixture.Build(layout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkfixture:", name, err)
			os.Exit(1)
		}
		path := filepath.Join(*dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "mkfixture:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path, len(data), "bytes")
	}
}
