package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildBot builds the leaseline binary once into dir.
func buildBot(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "leaseline")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/leaseline")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/leaseline: %w: %s", err, out)
	}
	return bin, nil
}

// replica is one `leaseline serve` process on a loopback port; it can be
// killed and started again on the same port.
type replica struct {
	name string
	bin  string
	addr string
	env  []string
	log  string // log file

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	peakKB  int64 // highest VmHWM seen over every process of this replica
	readyKB int64 // VmHWM of the first process when it was ready
	samples []rssSample
	starts  int
	exitErr error
}

// rssSample is a VmHWM reading of the replica's process at a time.
type rssSample struct {
	at time.Time
	kb int64
}

// start runs the process and waits for /readyz.
func (r *replica) start(ctx context.Context) error {
	f, err := os.OpenFile(r.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open log of %s: %w", r.name, err)
	}
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(append([]string{}, r.env...), "LEASELINE_ADDR="+r.addr)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the soak
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return fmt.Errorf("start %s: %w", r.name, err)
	}
	done := make(chan struct{})
	r.mu.Lock()
	r.cmd, r.done = cmd, done
	r.starts++
	r.mu.Unlock()
	go func() {
		err := cmd.Wait()
		_ = f.Close()
		r.mu.Lock()
		r.exitErr = err
		r.mu.Unlock()
		close(done)
	}()
	if err := r.waitReady(ctx, done); err != nil {
		return err
	}
	if pid := r.pid(); pid != 0 {
		if kb, err := vmHWM(pid); err == nil {
			r.mu.Lock()
			if r.readyKB == 0 {
				r.readyKB = kb
			}
			r.mu.Unlock()
		}
	}
	return nil
}

func (r *replica) waitReady(ctx context.Context, done chan struct{}) error {
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("%s exited at start: %v (log %s: %s)", r.name, r.exitErr, r.log, tail(r.log, 5))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		res, err := client.Get("http://" + r.addr + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("%s not ready within 60 s (log %s: %s)", r.name, r.log, tail(r.log, 5))
}

// pid is the running process's ID (0 when none).
func (r *replica) pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil || r.cmd.Process == nil {
		return 0
	}
	select {
	case <-r.done:
		return 0
	default:
	}
	return r.cmd.Process.Pid
}

// kill sends SIGKILL and waits for the process to be gone.
func (r *replica) kill() error {
	r.sample()
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil {
		return errors.New(r.name + " is not running")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill %s: %w", r.name, err)
	}
	<-done
	return nil
}

// stop asks the process to drain and stop (SIGTERM), killing it after 30 s.
func (r *replica) stop() {
	r.sample()
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}

// sample records the process's VmHWM (peak resident set).
func (r *replica) sample() {
	pid := r.pid()
	if pid == 0 {
		return
	}
	kb, err := vmHWM(pid)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.peakKB = max(r.peakKB, kb)
	r.samples = append(r.samples, rssSample{time.Now(), kb})
	r.mu.Unlock()
}

// peakBefore is the highest VmHWM sampled before t (0 when none).
func (r *replica) peakBefore(t time.Time) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var kb int64
	for _, s := range r.samples {
		if s.at.Before(t) {
			kb = max(kb, s.kb)
		}
	}
	return kb
}

// readyPeak is VmHWM of the first process when it was ready.
func (r *replica) readyPeak() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readyKB
}

func (r *replica) peak() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peakKB
}

// vmHWM reads VmHWM (kB) from /proc/PID/status.
func vmHWM(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status of %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM of %d: %w", pid, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM for %d", pid)
}

// tail returns the last n lines of a file, joined by " | ".
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// runCLI runs a one-off leaseline subcommand (migrate, catalog import).
func runCLI(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("leaseline %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
