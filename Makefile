# Sluice: `make demo` runs the main job end to end, `make test` runs the whole test suite.
# Both first install the Debian packages Sluice needs when any is missing (with sudo unless root).

SWIFT ?= swift
APT_PACKAGES := libgit2-dev libcurl4-openssl-dev libsqlite3-dev pkg-config git python3 bubblewrap
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: bootstrap build test bench demo

bootstrap:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: bootstrap
	$(SWIFT) build

# Serial: the Git tests call libgit2 synchronously, each holding one thread of Swift's cooperative
# pool (two on two cores); run in parallel they would starve the timing checks of the async tests.
test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

bench: bootstrap
	$(SWIFT) build -c release --product sluice-bench
	$(SWIFT) build -c release --product sluice
	.build/release/sluice-bench git
	.build/release/sluice-bench ingest
	.build/release/sluice-bench gate
	.build/release/sluice-bench promote

# Today the demo is the gate on the starter project: init, commit, run, then run again (a cache
# hit). Registration, promotion and the server loop join it as they land.
demo: build
	@set -e; demo=$$(mktemp -d /tmp/sluice-demo-XXXXXX); \
	.build/debug/sluice init "$$demo/churn" > /dev/null; \
	cd "$$demo/churn" && git init -q -b main && git add -A && \
		git -c user.name="Sluice demo" -c user.email=demo@sluice.invalid commit -qm "Starter project" && cd - > /dev/null; \
	echo "== sluice run $$demo/churn"; \
	.build/debug/sluice run "$$demo/churn" --state-dir "$$demo/state"; \
	echo "== sluice run $$demo/churn (again: the same commit)"; \
	.build/debug/sluice run "$$demo/churn" --state-dir "$$demo/state"; \
	echo "make demo: the gate passed, and the second run reused the first (cache hit). Files: $$demo"
