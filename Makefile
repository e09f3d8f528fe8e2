# Sluice: `make demo` runs the main job end to end, `make test` runs the whole test suite.
# Both first install the Debian packages Sluice needs when any is missing (with sudo unless root).

SWIFT ?= swift
APT_PACKAGES := libgit2-dev libcurl4-openssl-dev libsqlite3-dev pkg-config git python3 python3-venv python3-pip bubblewrap chromium postgresql
VENV := .build/venv
TEST_REQUIREMENTS := Tests/requirements.txt
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: bootstrap system-packages build test bench demo

# The Debian packages, then the Python virtual environment of the outside systems the tests run.
bootstrap: system-packages $(VENV)/.installed

system-packages:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The outside systems the tests run for real (see Tests/requirements.txt), from PyPI into a
# virtual environment of their own, so nothing is installed into the system's Python.
$(VENV)/.installed: $(TEST_REQUIREMENTS) | system-packages
	/usr/bin/python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $(TEST_REQUIREMENTS)
	touch $@

build: bootstrap
	$(SWIFT) build

# The scikit-learn starter's wheels, from PyPI: the tests serve them on a loopback package index,
# since tests reach no further than 127.0.0.1.
WHEELS := .build/wheels
SKLEARN_REQUIREMENTS := templates/project-sklearn/requirements.txt

$(WHEELS)/.downloaded: $(SKLEARN_REQUIREMENTS)
	/usr/bin/python3 -m pip download --quiet --disable-pip-version-check --only-binary :all: --dest $(WHEELS) -r $(SKLEARN_REQUIREMENTS)
	touch $@

# Serial: the Git tests call libgit2 synchronously, each holding one thread of Swift's cooperative
# pool (two on two cores); run in parallel they would starve the timing checks of the async tests.
test: bootstrap $(WHEELS)/.downloaded
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

bench: bootstrap
	$(SWIFT) build -c release --product sluice-bench
	$(SWIFT) build -c release --product sluice
	.build/release/sluice-bench git
	.build/release/sluice-bench ingest
	.build/release/sluice-bench gate
	.build/release/sluice-bench promote
	.build/release/sluice-bench e2e
	.build/release/sluice-bench replicas

# The whole main job on the starter project, in a temporary folder (see `sluice-demo --help`):
# a push becomes a run, a model version, staging's manifest and production's approval; a pull
# request that makes the model worse gets a failing gate table and promotes nothing.
demo: build
	.build/debug/sluice-demo
