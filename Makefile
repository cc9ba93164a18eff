# Everything a newcomer needs: `make run` starts the app, `make test` runs every check.
# Both first install the system packages they need (apt or dnf, with sudo when not root;
# visiondesk/system_packages.py lists them), then create .venv with the system's python3
# and install the project into it.

PYTHON ?= python3
# Python keeps its compiled modules in .venv and the checkout even where the environment says
# not to (PYTHONDONTWRITEBYTECODE is set on some CI machines): the suite starts a hundred
# Python processes, and each would compile the SDK, Pillow's plugins and VisionDesk again.
export PYTHONDONTWRITEBYTECODE =
VENV   := .venv
BIN    := $(VENV)/bin
SYSTEM := $(PYTHON) -m visiondesk.system_packages install

.PHONY: run test lint typecheck layers pytest bench bench-package fuzz screenshots package package-test install-desktop clean system-run system-test system-package

run: system-run $(VENV)/.installed
	$(BIN)/visiondesk

# The static checks run beside pytest (each target's output printed whole when it ends): the
# suite waits on the emulator and its subprocesses often enough that mypy costs it little.
test: system-test $(VENV)/.installed-test
	@$(MAKE) --no-print-directory -j4 --output-sync=target lint typecheck layers pytest

# Nothing to do (and no sudo) when every package is there already.
system-run system-test system-package:
	@$(SYSTEM) $(@:system-%=%)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# The layers and who may import the SDK, sqlite3, Pillow and Qt (pyproject.toml).
layers: $(VENV)/.installed-test
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $$(( $$(nproc) + 1 ))  # a core each, plus one: many tests wait on a server or a subprocess

fuzz: $(VENV)/.installed-test
	VISIONDESK_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q tests/test_fuzz.py

# Every benchmark runs and prints its figures; the target fails if any missed a target.
bench: $(VENV)/.installed-test
	status=0; \
	$(BIN)/python benchmarks/pipeline.py || status=1; \
	$(BIN)/python benchmarks/send.py || status=1; \
	$(BIN)/python benchmarks/turns.py || status=1; \
	$(BIN)/python benchmarks/search.py || status=1; \
	$(BIN)/python benchmarks/batch.py || status=1; \
	$(BIN)/python benchmarks/keychain.py || status=1; \
	$(BIN)/python benchmarks/cli_start.py || status=1; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/ui.py || status=1; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/sidebar.py || status=1; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/find.py || status=1; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/streaming.py || status=1; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/compare.py || status=1; \
	$(BIN)/python benchmarks/prompt_cache.py || status=1; \
	$(BIN)/python benchmarks/pdf_pages.py || status=1; \
	exit $$status

# The README's pictures: the real window on a virtual screen (Debian: apt install xvfb).
screenshots: system-run $(VENV)/.installed-test
	@command -v Xvfb >/dev/null || { echo "needs Xvfb: sudo apt install xvfb"; exit 1; }
	Xvfb :97 -screen 0 1280x860x24 -nolisten tcp & pid=$$!; sleep 1; \
	DISPLAY=:97 QT_QPA_PLATFORM=xcb $(BIN)/python docs/screenshots.py \
	&& DISPLAY=:97 QT_QPA_PLATFORM=xcb $(BIN)/python docs/screenshots.py --marking \
	&& DISPLAY=:97 QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=2 $(BIN)/python docs/screenshots.py --narrow; \
	status=$$?; \
	kill $$pid; exit $$status

# uv installs into the venv in half the time pip takes (23 s against 49 s for the test extras).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv

INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python
# The checkout goes on sys.path by a plain .pth line: setuptools' default editable finder is an
# import hook that cost every start 12-16 ms (the window's first paint, each CLI command).
EDITABLE := --config-settings editable_mode=compat -e

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(INSTALL) $(EDITABLE) .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(INSTALL) $(EDITABLE) '.[test,dev]'
	touch $@ $(VENV)/.installed

# The double-click bundle: dist/VisionDesk/VisionDesk (PyInstaller, one folder, windowed).
package: system-package $(VENV)/.installed-package
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/visiondesk.spec

# The bundle's start (process start → window shown) against a PySide6 hello bundle built the
# same way; builds both, so it takes minutes and is not part of `make test` or `make bench`.
bench-package: package
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bundle.py --bundle dist/VisionDesk/VisionDesk

package-test: package
	QT_QPA_PLATFORM=offscreen VISIONDESK_DATA_DIR=$$(mktemp -d) dist/VisionDesk/VisionDesk --self-test

$(VENV)/.installed-package: pyproject.toml | $(BIN)/python
	$(INSTALL) -e '.[package]'
	touch $@

# Desktop integration for this user: launcher, "Open with", icons, AppStream metadata.
install-desktop: $(VENV)/.installed
	packaging/linux/install-desktop.sh "$(CURDIR)/$(BIN)/visiondesk-gui"

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache .hypothesis
