package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for the checks
)

// postgres is the soak's database: a throwaway cluster in a temporary
// directory, or a fresh database on the machine's PostgreSQL when no
// cluster can be started here.
type postgres struct {
	kind    string // "throwaway cluster" or "machine PostgreSQL"
	url     string // for the bot: postgres://…
	dataDir string
	bin     string // directory of initdb and pg_ctl
	asUser  string // run the binaries as this user ("" as ourselves)
	logFile string
	dropDB  func()
}

// pgBinDir finds initdb: PG_BIN, then the Debian layout, then PATH.
func pgBinDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", errors.New("initdb not found: set PG_BIN to the directory of PostgreSQL's binaries")
	}
	return filepath.Dir(p), nil
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startThrowaway makes a cluster under dir (initdb, start on a free
// loopback port with its socket in dir, createdb). As root, the binaries
// run as the user "postgres" (initdb refuses root).
func startThrowaway(ctx context.Context, dir string) (*postgres, error) {
	bin, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cluster directory: %w", err)
	}
	p := &postgres{kind: "throwaway cluster", bin: bin, dataDir: filepath.Join(dir, "pgdata"), logFile: filepath.Join(dir, "postgres.log")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, initdb needs a non-root user and there is no user postgres: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, fmt.Errorf("chown %s: %w", dir, err)
		}
		p.asUser = "postgres"
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if out, err := p.run(ctx, "initdb", "-D", p.dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB", port, dir)
	if out, err := p.run(ctx, "pg_ctl", "-D", p.dataDir, "-o", opts, "-l", p.logFile, "-w", "-t", "60", "start"); err != nil {
		return nil, fmt.Errorf("pg_ctl start: %w: %s", err, out)
	}
	if out, err := p.run(ctx, "createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres", "leaseline_soak"); err != nil {
		p.stop()
		return nil, fmt.Errorf("createdb: %w: %s", err, out)
	}
	p.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/leaseline_soak?sslmode=disable", port)
	return p, nil
}

// machinePostgres makes a fresh database on the machine's PostgreSQL
// (SOAK_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres).
func machinePostgres(ctx context.Context) (*postgres, error) {
	admin := os.Getenv("SOAK_ADMIN_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", admin, err)
	}
	defer db.Close()
	name := fmt.Sprintf("leaseline_soak_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("create database on the machine's PostgreSQL: %w", err)
	}
	u := strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
	p := &postgres{kind: "machine PostgreSQL (127.0.0.1:5432, database " + name + ")", url: u}
	p.dropDB = func() {
		db, err := sql.Open("pgx", admin)
		if err == nil {
			_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			_ = db.Close()
		}
	}
	return p, nil
}

// run runs one of PostgreSQL's binaries, as p.asUser when set.
func (p *postgres) run(ctx context.Context, name string, args ...string) (string, error) {
	path := filepath.Join(p.bin, name)
	var cmd *exec.Cmd
	if p.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", p.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	// A server started by pg_ctl keeps the output pipe open unless it logs
	// to a file (-l): never wait for the pipe longer than this.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// restart is pg_ctl restart -m fast: every connection is dropped.
func (p *postgres) restart(ctx context.Context) (time.Duration, error) {
	if p.dataDir == "" {
		return 0, errors.New("the machine's PostgreSQL is not restarted by the soak")
	}
	start := time.Now()
	if out, err := p.run(ctx, "pg_ctl", "-D", p.dataDir, "-l", p.logFile, "-m", "fast", "-w", "-t", "60", "restart"); err != nil {
		return 0, fmt.Errorf("pg_ctl restart: %w: %s", err, out)
	}
	return time.Since(start), nil
}

// stop stops the cluster (or drops the database on the machine's server).
func (p *postgres) stop() {
	if p.dropDB != nil {
		p.dropDB()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, _ = p.run(ctx, "pg_ctl", "-D", p.dataDir, "-m", "immediate", "-w", "stop")
}
