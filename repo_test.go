package main

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRepositoryHoldsOnlySource: what `git clone` gives a new engineer is the source — no compiled
// binary (bin/ is built by `make build`), no file over 1 MB, and no path that points outside the
// repository (the product description lives in docs/).
func TestRepositoryHoldsOnlySource(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git work tree (a source archive?): %v", err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	if len(files) < 50 || !slices.Contains(files, "main.go") {
		t.Fatalf("git ls-files listed %d files without main.go: not this repository's root", len(files))
	}
	const maxSize = 1 << 20
	outside := []byte(".." + "/shared") // spelled in two parts so this file does not match itself
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree, not yet committed
			}
			t.Fatal(err)
		}
		if len(b) > maxSize {
			t.Errorf("%s is tracked and %d bytes (limit %d): build or generate it instead", name, len(b), maxSize)
		}
		if bytes.HasPrefix(b, []byte("\x7fELF")) {
			t.Errorf("%s is a compiled ELF binary and tracked: remove it with git rm --cached", name)
		}
		if i := bytes.Index(b, outside); i >= 0 {
			line := 1 + bytes.Count(b[:i], []byte("\n"))
			t.Errorf("%s:%d points at %s, outside the repository", name, line, outside)
		}
	}
}
