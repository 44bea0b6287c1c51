# Two entry points (see README): `make run` and `make test`. Each creates .venv itself.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
COMMAND ?= Go to the kitchen, pick up the red cup, and bring it to the table
# Every ROS process we start stays on loopback and in its own domain.
export ROS_AUTOMATIC_DISCOVERY_RANGE ?= LOCALHOST
export ROS_DOMAIN_ID ?= 42

.PHONY: run test lint typecheck pytest bench clean interfaces

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml package.xml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[local]"
	touch $@

$(VENV)/.test-installed: pyproject.toml package.xml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[local,ros,dev]"
	touch $@

# The ROS interface packages (interfaces/, see interfaces/README.md): CMake + g++ build them against the ROS
# wheels already in .venv (hence --no-build-isolation); they install into .venv like the wheels do.
INTERFACES = interfaces/py_trees_ros_interfaces interfaces/bt_planner_msgs interfaces/nav2_msgs
$(VENV)/.interfaces-installed: $(VENV)/.test-installed $(shell find interfaces -type f -not -path '*/build/*' 2>/dev/null)
	command -v cmake >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq cmake g++ make >/dev/null; }
	$(BIN)/python -m pip install --quiet --no-build-isolation $(INTERFACES)
	touch $@

## Build and install the ROS interface packages into .venv (part of `make test`).
interfaces: $(VENV)/.interfaces-installed

# The viewer's browser tests drive Debian's Chromium through Playwright (never `playwright install`).
$(VENV)/.browser-installed:
	command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	touch $@

## Plan and execute the seed command on the default world with the default backend.
run: $(VENV)/.run-installed
	$(BIN)/bt-planner run "$(COMMAND)"

## Lint, type-check and run the whole test suite (ROS, embedded model and browser tests included).
test: $(VENV)/.test-installed $(VENV)/.interfaces-installed $(VENV)/.browser-installed lint typecheck pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check bt_planner tests benchmarks launch
	$(BIN)/ruff format --check bt_planner tests benchmarks launch
	$(BIN)/lint-imports

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

pytest: $(VENV)/.test-installed $(VENV)/.interfaces-installed
	$(BIN)/pytest

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
