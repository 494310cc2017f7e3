package main

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinary compiles the command once for the tests below.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aftersales")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// Every subcommand runs from an empty directory: the shipped configuration
// and standards are built into the binary, nothing is read from the
// working directory.
func TestSubcommandsRunFromAnEmptyDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	env := append(os.Environ(), "AFTERSALES_DB_DRIVER=sqlite", "AFTERSALES_DB_DSN="+filepath.Join(dir, "as.db"),
		"AFTERSALES_STORAGE_DIR="+filepath.Join(dir, "files"), "AFTERSALES_LOG_LEVEL=warn")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aftersales %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"version"}, "aftersales"},
		{[]string{"help"}, "Usage"},
		{[]string{"migrate"}, "schema up to date"},
		{[]string{"users", "create", "--username", "li.qm", "--password", "Lq-7x!mKp2-Zt", "--roles", "quality_manager"}, "created user li.qm"},
		{[]string{"users", "reset-password", "--username", "li.qm", "--password", "Rt-9w!nHq4-Yb"}, "password of li.qm reset"},
		{[]string{"audit", "verify"}, "audit trail intact"},
		{[]string{"seed", "--scale", "20"}, "scale data: 20 tickets"},
	} {
		if out := run(c.args...); !strings.Contains(out, c.want) {
			t.Errorf("aftersales %s: want %q in\n%s", strings.Join(c.args, " "), c.want, out)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() == "configs" {
			t.Error("a subcommand created configs/ in the working directory")
		}
	}

	// serve --demo on a database that already has users starts, and says
	// that (and why) it did not seed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--demo")
	cmd.Dir, cmd.Env = dir, append(env, "AFTERSALES_HTTP_ADDR="+addr, "AFTERSALES_SCHEDULER_ENABLED=false")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var said []string
	deadline := time.After(60 * time.Second)
	for up := false; !up; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited:\n%s", strings.Join(said, "\n"))
			}
			said = append(said, line)
			up = strings.Contains(line, "serving on")
		case <-deadline:
			t.Fatalf("serve did not start:\n%s", strings.Join(said, "\n"))
		}
	}
	if !strings.Contains(strings.Join(said, "\n"), "seeding skipped: the database already has 1 user") {
		t.Errorf("serve --demo on a non-empty database did not say it skipped seeding:\n%s", strings.Join(said, "\n"))
	}
	var res *http.Response
	for i := 0; i < 50; i++ {
		if res, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz from a server started in an empty directory: %v %v", res, err)
	}
	res.Body.Close()
}
