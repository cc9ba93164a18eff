"""Where VisionDesk keeps things, per platform (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "VisionDesk"


def _dirs() -> platformdirs.PlatformDirs:
    return platformdirs.PlatformDirs(APP, appauthor=False, ensure_exists=False)


def config_dir() -> Path:
    override = os.environ.get("VISIONDESK_CONFIG_DIR")
    return Path(override) if override else _dirs().user_config_path


def data_dir() -> Path:
    override = os.environ.get("VISIONDESK_DATA_DIR")
    return Path(override) if override else _dirs().user_data_path


def log_dir() -> Path:
    return _dirs().user_log_path


def cache_dir() -> Path:
    override = os.environ.get("VISIONDESK_CACHE_DIR")
    return Path(override) if override else _dirs().user_cache_path


def log_folder() -> Path:
    override = os.environ.get("VISIONDESK_LOG_DIR")
    return Path(override) if override else log_dir()
