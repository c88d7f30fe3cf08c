# hamnhw developer entry points.  Debian, Python 3.11 as `python3`.
#   make demo        create .venv, install hamnhw (no test tools), run `hamnhw demo`
#   make test        create .venv, install with the test tools, install the BMC peers, lint,
#                    the whole suite
#   make test-fast   unit and replay tests only (no peers, no end-to-end)
#   make bench       benchmarks against the simulator (docs/performance.md); BENCH_ARGS=--quick
#   make bench-compare  hamnhw beside sushy, python-redfish-library, requests, http.client
#                    over many simulated BMCs (minutes); COMPARE_ARGS=--quick
#   make bench-ansible  the Ansible collection over simulated BMCs at a few fork counts (minutes)
#   make soak        the long reliability runs (docs/reliability.md): >= 10,000 randomized
#                    failover runs (resumable) and >= 100,000 coverage-guided fuzz inputs

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VBIN := $(VENV)/bin
PEERS_DIR := $(CURDIR)/.peers
PYTEST_ARGS ?=
# Tests run in PYTEST_WORKERS processes (pytest-xdist): the suite mostly waits (on loopback
# BMCs, peers, child processes; one process used ~35% of the CPU), so 4 workers on a 2-core
# machine take about 10 min where one took about 28; a test file runs in one worker
# (--dist loadfile: its module fixtures are set up once).  PYTEST_WORKERS=0 runs it in this
# process (pdb, -x).  Two limits.  Per test: pytest-timeout (pyproject.toml: 60 s, SIGALRM,
# so the test fails, its finalizers stop its servers and peers, the stacks are dumped and
# the run goes on; peer tests 180 s, the few long tests say @pytest.mark.timeout(N)).  Whole
# run: this watchdog, the last resort for a hang outside any test (collection, a session
# teardown): SIGINT after PYTEST_WATCHDOG_S (pytest still runs its finalizers), SIGKILL 60 s
# later.  The whole suite takes about 13 min on a 2-core machine (its longest test, the
# failover's kill points, about 2.5 min beside the others; the Ansible collection's tests
# about 4 min of worker time); the watchdog leaves room above that for a loaded machine (a
# run killed by it tells nothing of the tests it did not reach) and keeps `.ci/run` under
# 30 min.  The long runs are not in it: `make soak` has its own watchdog (SOAK_WATCHDOG_S)
# and resumes where a stopped run left off.
PYTEST_WORKERS ?= 4
PYTEST_WATCHDOG_S ?= 1500
PYTEST := timeout --foreground -s INT -k 60 $(PYTEST_WATCHDOG_S) $(VBIN)/pytest \
	-n $(PYTEST_WORKERS) --dist loadfile --durations=20

.PHONY: venv install demo peers-install test test-fast lint install-check clean distclean

# The install is editable: code changes need no reinstall, only pyproject.toml changes
# (dependencies, entry points), which the stamp files track.
INSTALLED := $(VENV)/.installed
INSTALLED_TEST := $(VENV)/.installed-test

$(VBIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(VBIN)/python
	$(VBIN)/python -m pip install -q -e .
	@touch $@

$(INSTALLED_TEST): $(INSTALLED)
	$(VBIN)/python -m pip install -q -e '.[test]'
	@touch $@

venv install: $(INSTALLED_TEST)

demo: $(INSTALLED)
	$(VBIN)/hamnhw demo

# Root + apt-get: Debian packages (openipmi ipmitool python3-libvirt ...); always: peer venvs
# under .peers/.  Fast when already done.  The peers are started and stopped by the tests.
peers-install:
	bash tests/peers/install_peers.sh $(PEERS_DIR)

LINT := $(VBIN)/ruff check . && $(VBIN)/mypy

lint: venv
	$(LINT)

# `pip install .` (not -e) into a throwaway venv: both packages import, the drivers are
# registered as entry points, the console script runs.
install-check:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "install-check: pip install . (non-editable) into $$tmp/venv"; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/pip" install -q . 2> >(grep -v '^WARNING: Location' >&2); \
	cd "$$tmp" && "$$tmp/venv/bin/python" -c "$$INSTALL_CHECK_PY" && \
	"$$tmp/venv/bin/hamnhw" --help >/dev/null && echo "install-check: ok"

define INSTALL_CHECK_PY
import importlib.metadata, sys
import hamnhw, hamnhw_drivers
for module in (hamnhw, hamnhw_drivers):
    assert "site-packages" in module.__file__, module.__file__
found = {e.name for e in importlib.metadata.entry_points(group="hamnhw.drivers")}
missing = {"generic", "dell", "hpe", "lenovo", "supermicro", "ipmi"} - found
sys.exit(f"entry points missing: {sorted(missing)}" if missing else 0)
endef
export INSTALL_CHECK_PY

# Runs every step even when one fails (peer tests skip, saying why, if their install failed),
# then fails if any did.
test: venv
	@rc=0; \
	$(MAKE) --no-print-directory peers-install || rc=1; \
	$(LINT) || rc=1; \
	$(MAKE) --no-print-directory install-check || rc=1; \
	$(PYTEST) $(PYTEST_ARGS) || rc=1; \
	exit $$rc

test-fast: venv
	$(PYTEST) -m "not peers and not e2e" $(PYTEST_ARGS)

# Under a minute; exits non-zero when a target in docs/performance.md is missed.
.PHONY: bench
BENCH_ARGS ?=
bench: venv
	$(VBIN)/python benchmarks/run_all.py $(BENCH_ARGS)

# Its own venv: the client libraries compared (sushy, aiohttp, redfishtool) stay out of .venv.
BENCH_VENV := .venv-bench
COMPARE_ARGS ?=
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q -e '.[bench]'
	@touch $@

.PHONY: bench-compare
bench-compare: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/compare/compare.py $(COMPARE_ARGS)
.PHONY: bench-ansible
bench-ansible: venv
	$(VBIN)/python benchmarks/bench_ansible.py $(BENCH_ARGS)

# The randomized failover soak, sharded by seed into $(SOAK_OUT)/shard-<first seed>.json: run
# again after a stop and it goes on from the shards already there (rm -r $(SOAK_OUT) to start
# over); SOAK_JOBS shards at a time.  Then atheris over every parser (installed here: its
# wheel comes from PyPI; skipped, saying so, where it does not install).  Each part is
# bounded by SOAK_WATCHDOG_S (SIGINT, then SIGKILL a minute later).
.PHONY: soak
SOAK_RUNS ?= 10000
SOAK_JOBS ?= 1
SOAK_OUT ?= soak-results
FUZZ_RUNS ?= 100000
SOAK_WATCHDOG_S ?= 21600
SOAK_TIMEOUT := timeout --foreground -s INT -k 60 $(SOAK_WATCHDOG_S)
soak: venv
	@rc=0; \
	$(SOAK_TIMEOUT) $(VBIN)/python tests/reliability/soak.py --runs $(SOAK_RUNS) \
		--jobs $(SOAK_JOBS) --out $(SOAK_OUT) || rc=1; \
	if $(VBIN)/python -m pip install -q atheris; then \
		mkdir -p $(SOAK_OUT)/fuzz; \
		$(SOAK_TIMEOUT) $(VBIN)/python tests/fuzz/atheris_fuzz.py --runs $(FUZZ_RUNS) \
			--corpus $(SOAK_OUT)/fuzz/corpus -artifact_prefix=$(SOAK_OUT)/fuzz/ || rc=1; \
	else echo "soak: atheris does not install here: the coverage-guided fuzzing is skipped"; fi; \
	exit $$rc

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path './.venv/*' -not -path './.peers/*' -prune \
		-exec rm -rf {} +

# also the venvs (.venv, .peers)
distclean: clean
	rm -rf $(VENV) $(PEERS_DIR) $(BENCH_VENV)
