# AnchorDesk. The two commands a newcomer needs:
#   make run    install what is missing, build, and open the console on the built-in sandbox
#   make test   install what is missing, and run every test (Rust, UI, the pages in Chromium, and the real
#               window under Xvfb)
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: run test e2e ui bindings lint fmt setup-run setup-test release bench bench-ui bench-feed bench-paint screenshots

UI_SOURCES := $(shell find ui/src ui/index.html ui/vite.config.ts ui/svelte.config.js ui/tsconfig.json ui/tsconfig.node.json ui/package.json -type f 2>/dev/null)

run: setup-run
	@$(MAKE) --no-print-directory ui
	cargo build --bin anchordesk
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "No display found: on a headless machine, run 'xvfb-run -a make run'."; exit 1; fi
	./target/debug/anchordesk

test: setup-test
	@$(MAKE) --no-print-directory ui
	cargo fmt --all -- --check
	npm --prefix ui run check
	npm --prefix ui test
	npm --prefix ui run e2e
	cargo clippy --workspace --all-targets -- -D warnings
	xvfb-run -a cargo test --workspace --lib --bins --tests

# The page tests alone: Playwright on the system Chromium, against the UI's in-memory backend.
e2e: setup-test
	@$(MAKE) --no-print-directory ui
	npm --prefix ui run e2e

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

# The UI is built into ui/dist, which the app embeds at compile time.
ui: ui/dist/index.html

ui/dist/index.html: $(UI_SOURCES) ui/package-lock.json
	npm --prefix ui run build
	@touch $@

# Regenerates ui/src/lib/bindings.ts from the Rust types (the bindings test fails when it drifts).
bindings:
	UPDATE_BINDINGS=1 cargo test --test bindings

# PNGs of the main window at 1280×800 (each language, the dark theme, a user card) with a busy sandbox
# room: the window test that checks them in `make test`, run by name with the output folder set.
SCREENSHOTS_DIR ?= target/screenshots
screenshots: setup-test
	@$(MAKE) --no-print-directory ui
	ANCHORDESK_SCREENSHOTS_DIR="$(abspath $(SCREENSHOTS_DIR))" xvfb-run -a cargo test --test window screenshots:: -- --nocapture
	@echo "Screenshots: $(abspath $(SCREENSHOTS_DIR))"

# Benchmarks print figures (each beside a baseline run in the same process); they assert nothing.
bench: setup-run
	@$(MAKE) --no-print-directory ui
	cargo bench -p anchordesk-server --bench callbacks

# The UI under a synthetic room at 1,000 msg/s (Chromium), then the release build's first paint
# (WebKitWebDriver under Xvfb). Shorter: make bench-ui BENCH_SECONDS=10 PAINT_RUNS=3.
bench-ui: bench-feed bench-paint

bench-feed: setup-test
	@$(MAKE) --no-print-directory ui
	npm --prefix ui run bench

bench-paint: setup-test
	@$(MAKE) --no-print-directory ui
	cargo build --release --bin anchordesk
	xvfb-run -a node scripts/bench-first-paint.mjs

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	npm --prefix ui run check

release: setup-run
	@$(MAKE) --no-print-directory ui
	npm --prefix ui exec -- tauri build --bundles deb
