# osspoint: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
OSSPOINT_DB ?= sqlite:var/osspoint.db
OSSPOINT_LISTEN ?= 127.0.0.1:8080
export OSSPOINT_DB OSSPOINT_LISTEN

.PHONY: all deps npm build run test test-unit asan fault fault-long fuzz fuzz-long bench bench-registry bench-survey bench-stats bench-portal format lint clean

all: build

# Debian packages (only the missing ones), npm packages from the lock file,
# and the Thai web font (Sarabun, from npm @fontsource/sarabun) copied to static/fonts.
deps:
	@./scripts/deps.sh
	@./scripts/npm-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	@mkdir -p var
	@$(BUILD)/osspoint migrate
	@$(BUILD)/osspoint seed --demo
	@$(BUILD)/osspoint serve --banner

test: build
	@./scripts/test.sh

# Sanitizer build alone (make test runs it too).
asan: deps
	@./scripts/test.sh --only-asan

# Fault injection (docs/ARCHITECTURE.md): the short sweep on SQLite (make test
# runs it too); fault-long injects at every event, on SQLite and PostgreSQL.
fault: deps
	@./scripts/fault.sh
fault-long: deps
	@./scripts/fault.sh --long

# Short fuzz campaign (make test runs it too); fuzz-long for a real campaign.
fuzz: deps
	@./scripts/fuzz.sh 20
fuzz-long: deps
	@./scripts/fuzz.sh 1800

bench: build
	@./bench/run.sh
	@./bench/registry/run.sh
	@./bench/survey/run.sh
	@./bench/stats/run.sh
	@./bench/portal/run.sh

# Registry (issue 3): durable inserts over HTTP vs one COMMIT per entry, and the
# district's month at 1,000,000 entries.
bench-registry: build
	@./bench/registry/run.sh

# Survey (issue 10): POST /survey/{token} at 64 connections, SQLite and
# PostgreSQL, against the same server's registry POSTs (target p99 < 50 ms).
bench-survey: build
	@./bench/survey/run.sh

# Statistics (issue 10): the national, province and district models (open and
# closed periods) at national scale against GROUP BY over the raw rows, and
# closing a period; BENCH_ENTRIES etc. for a smaller run (bench/stats/run.sh).
bench-stats: build
	@./bench/stats/run.sh

# Portal (issue 4): / and a service page from the page cache vs nginx serving
# the same bytes (wrk -c256; target osspoint/nginx >= 1.0, p99 < 10 ms).
bench-portal: build
	@./bench/portal/run.sh

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h')

lint:
	@./scripts/lint.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-fault
