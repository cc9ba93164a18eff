# Everything a newcomer needs: `make run` starts the app, `make test` runs every check.
# Both create .venv with the system's python3 and install the project into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck pytest bench fuzz screenshots package package-test install-desktop clean

run: $(VENV)/.installed
	$(BIN)/visiondesk

test: $(VENV)/.installed-test lint typecheck pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

fuzz: $(VENV)/.installed-test
	VISIONDESK_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q tests/test_fuzz.py

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/send.py
	$(BIN)/python benchmarks/batch.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/ui.py

# The README's pictures: the real window on a virtual screen (Debian: apt install xvfb).
screenshots: $(VENV)/.installed-test
	@command -v Xvfb >/dev/null || { echo "needs Xvfb: sudo apt install xvfb"; exit 1; }
	Xvfb :97 -screen 0 1280x860x24 -nolisten tcp & pid=$$!; sleep 1; \
	DISPLAY=:97 QT_QPA_PLATFORM=xcb $(BIN)/python docs/screenshots.py; status=$$?; \
	kill $$pid; exit $$status

$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "Python's venv module is missing. On Debian/Ubuntu: sudo apt install python3-venv"; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.installed

# The double-click bundle: dist/VisionDesk/VisionDesk (PyInstaller, one folder, windowed).
package: $(VENV)/.installed-package
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/visiondesk.spec

package-test: package
	QT_QPA_PLATFORM=offscreen VISIONDESK_DATA_DIR=$$(mktemp -d) dist/VisionDesk/VisionDesk --self-test

$(VENV)/.installed-package: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[package]'
	touch $@

# Desktop integration for this user: launcher, "Open with", icons, AppStream metadata.
install-desktop: $(VENV)/.installed
	packaging/linux/install-desktop.sh "$(CURDIR)/$(BIN)/visiondesk-gui"

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .pytest_cache .ruff_cache .hypothesis
