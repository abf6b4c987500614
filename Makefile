# leaseline — see README.md. `make run` starts the bot (embedded SQLite by
# default); `make test` runs the whole suite (lint + race tests, on SQLite,
# and on PostgreSQL too when TEST_DATABASE_URL is set).

GO      ?= go
BIN     ?= bin/leaseline
PKGS    ?= ./...
TEST_DATABASE_URL ?=
export TEST_DATABASE_URL

.PHONY: all build run demo test poppler test-short lint fmt bench soak clean

all: build

## build: the static binary (pure Go, no cgo) at bin/leaseline
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/leaseline

## run: the bot. Reads .env if present. Without Slack credentials it says
## what to set and shows the demo instead, so a fresh clone always runs.
## It builds bin/leaseline first and says so: the first build downloads
## the modules (about 60 MB) and compiles them, which takes minutes.
MODCACHE_MARK = $(shell $(GO) env GOMODCACHE)/cache/download/github.com/slack-go/slack/@v/v0.35.0.zip
run:
	@echo "make run: building $(BIN) (go build ./cmd/leaseline)."
	@if [ ! -f "$(MODCACHE_MARK)" ]; then \
		echo "First build on this machine: the go command downloads the modules (about 60 MB) and compiles them."; \
		echo "That takes about 2 minutes on 2 free cores (measured: 222 CPU-seconds, so estimated; it took 6 min 40 s on a busy shared 2-core machine); later builds take seconds."; \
		echo "Progress: each module as it downloads, then each package as it compiles."; \
	fi
	@mkdir -p $(dir $(BIN)); \
	{ CGO_ENABLED=0 $(GO) build -v -trimpath -o $(BIN) ./cmd/leaseline 2>&1; echo $$? > $(BIN).status; } | \
		awk '/^go: downloading/ || / / {print; fflush(); next} {n++; if (n % 25 == 0) {printf "  compiled %d packages (now %s)\n", n, $$0; fflush()}} END {if (n) printf "  compiled %d packages\n", n}'; \
	status=$$(cat $(BIN).status); rm -f $(BIN).status; exit $$status
	@echo "make run: built $(BIN)."
	@set -a; [ -f .env ] && . ./.env; set +a; \
	if [ -z "$$SLACK_BOT_TOKEN" ]; then \
		echo "SLACK_BOT_TOKEN is not set: showing the demo (leaseline demo). To run the real bot, create the Slack app from deploy/slack/manifest.yml and set the variables of README.md (a .env file works)."; \
		./$(BIN) demo; \
	else \
		./$(BIN) serve; \
	fi

## demo: the whole journey against an in-process fake Slack
demo:
	CGO_ENABLED=0 $(GO) run ./cmd/leaseline demo

## lint: gofmt, go vet, staticcheck (a go.mod tool: installed by the go command itself)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

## test: lint, then every test with the race detector; says at its end
## when the PostgreSQL half did not run (TEST_DATABASE_URL unset)
test: lint poppler
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m $(PKGS)
	@if [ -z "$$TEST_DATABASE_URL" ]; then echo; echo "NOTE: TEST_DATABASE_URL is not set, so the PostgreSQL half of the suite did NOT run: this green is SQLite only. Set TEST_DATABASE_URL to a PostgreSQL URL to run both."; fi

## poppler: pdftotext, pdfinfo and pdftoppm, which the entry letter's tests
## read the PDF with (handlers/letter); installed from Debian when missing
poppler:
	@command -v pdftotext >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils)

## bench: the benchmarks whose figures the README reports, and beside
## them the floor of the machine in the same run: pgbench's TPC-B-like run
## with 1 and 8 clients against a scratch database (when pgbench is
## installed and TEST_DATABASE_URL is set), with each figure's ratio to it.
## BENCH=ScheduleVisits picks benchmarks; the raw output is kept in bench.out.
BENCH ?= .
bench:
	GO="$(GO)" PKGS="$(PKGS)" BENCH="$(BENCH)" ./scripts/bench.sh

## soak: the proof under load and faults (not part of `make test`): its own
## PostgreSQL, a fake Slack and two `leaseline serve` replicas on loopback;
## 200 users run the whole journey while Slack answers 429/500, PostgreSQL
## restarts and a replica is SIGKILLed; checks and prints the invariants and
## figures (acks, press → card updated, command → reply, notice delay, peak
## RSS, beside issue 13's goals), and exits non-zero if an invariant fails.
## Stops by itself (hard deadline 10 minutes after the build).
## SOAK_FLAGS="-no-faults", "-db sqlite -no-faults" (one SQLite file),
## "-users 50 -rounds 2 -keep -v".
SOAK_FLAGS ?=
soak:
	$(GO) run ./cmd/soak $(SOAK_FLAGS)

clean:
	rm -rf bin leaseline.db leaseline.db-wal leaseline.db-shm bench.out
