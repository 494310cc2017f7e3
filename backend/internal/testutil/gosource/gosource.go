// Package gosource is for tests that read the backend's own source: the
// catalogue tests (apperr's error codes, i18n's message ids) parse every
// non-test Go file under backend/ and look for the codes it writes.
package gosource

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RepoRoot is the repository's root: the nearest directory above the
// test's working directory (its package) that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// EachBackendFile parses every non-test Go file under backend/ and calls fn
// with its path relative to the repository root (for file:line messages),
// the file set and the syntax tree.
func EachBackendFile(t testing.TB, fn func(rel string, fset *token.FileSet, f *ast.File)) {
	t.Helper()
	root := RepoRoot(t)
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, "backend"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		fn(rel, fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
