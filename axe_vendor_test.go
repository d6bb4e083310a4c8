package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestAxeCoreIsATestAssetPinnedWithItsLicence: the vendored axe-core is the version scripts/vendor.sh
// pins (its banner says so), VERSIONS records it with its licence beside it, and the binary that is
// served never links the package that embeds it (only tests import internal/testkit/axe).
func TestAxeCoreIsATestAssetPinnedWithItsLicence(t *testing.T) {
	script, err := os.ReadFile("scripts/vendor.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^AXE_VERSION=(\S+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("scripts/vendor.sh pins no AXE_VERSION")
	}
	version := string(m[1])
	js, err := os.ReadFile("internal/testkit/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if banner := string(js[:min(len(js), 200)]); !strings.Contains(banner, "axe v"+version) {
		t.Errorf("axe.min.js starts %q, want the banner of axe v%s (run make vendor)", banner, version)
	}
	versions, err := os.ReadFile("internal/testkit/axe/VERSIONS")
	if err != nil || !strings.Contains(string(versions), "axe-core "+version+" ") || !strings.Contains(string(versions), "axe.LICENSE") {
		t.Errorf("internal/testkit/axe/VERSIONS = %q (%v), want axe-core %s and its licence file", versions, err, version)
	}
	if licence, err := os.ReadFile("internal/testkit/axe/axe.LICENSE"); err != nil || !strings.Contains(string(licence), "Mozilla Public License") {
		t.Errorf("internal/testkit/axe/axe.LICENSE missing or not the MPL: %v", err)
	}

	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to list the binary's packages")
	}
	out, err := exec.Command("go", "list", "-tags", "sqlite_fts5", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "leaddesk/internal/testkit") {
			t.Errorf("the served binary links %s; axe-core and the test harness belong to tests only", pkg)
		}
	}
}
