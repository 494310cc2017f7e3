package migrations

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const checksumFile = "testdata/checksums.txt"

// TestMigrationsAreFrozen: a migration that has landed is never edited. Each
// migration file's SHA-256 is recorded in testdata/checksums.txt; an edited
// file fails here. A new migration gets its line with
//
//	RECORD_NEW_MIGRATIONS=1 go test ./backend/internal/migrations -run TestMigrationsAreFrozen
//
// which appends lines for files not yet listed and never rewrites a line.
func TestMigrationsAreFrozen(t *testing.T) {
	recorded := map[string]string{}
	if f, err := os.Open(checksumFile); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			name, sum, ok := strings.Cut(line, " ")
			if !ok {
				t.Fatalf("%s: malformed line %q", checksumFile, line)
			}
			recorded[name] = strings.TrimSpace(sum)
		}
		f.Close()
	}
	files, err := filepath.Glob("m[0-9][0-9][0-9][0-9]_*.go")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var missing []string
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(data)
		sum := hex.EncodeToString(h[:])
		want, ok := recorded[name]
		switch {
		case !ok:
			missing = append(missing, name+" "+sum)
		case want != sum:
			t.Errorf("%s was edited after it landed (checksum %s, recorded %s): migrations are append-only — "+
				"revert the edit and add a new migration instead", name, sum, want)
		}
	}
	for name := range recorded {
		if _, err := os.Stat(name); err != nil {
			t.Errorf("%s is recorded but gone: a landed migration is never removed", name)
		}
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("RECORD_NEW_MIGRATIONS") == "1" {
		f, err := os.OpenFile(checksumFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, line := range missing {
			fmt.Fprintln(f, line)
		}
		return
	}
	t.Errorf("new migrations without a recorded checksum (run with RECORD_NEW_MIGRATIONS=1 to record them):\n%s",
		strings.Join(missing, "\n"))
}
