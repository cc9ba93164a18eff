#!/bin/sh
# Install VisionDesk's launcher, "Open with" file types, icons and AppStream metadata for this
# user (XDG_DATA_HOME, default ~/.local/share). Usage: install-desktop.sh /path/to/visiondesk-gui
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command=${1:?usage: install-desktop.sh /path/to/visiondesk-gui}
data=${XDG_DATA_HOME:-$HOME/.local/share}
id=io.github.visiondesk.VisionDesk

mkdir -p "$data/applications" "$data/metainfo" "$data/icons/hicolor/scalable/apps"
sed "s|^Exec=.*|Exec=\"$command\" %F|" "$here/$id.desktop" > "$data/applications/$id.desktop"
cp "$here/$id.metainfo.xml" "$data/metainfo/$id.metainfo.xml"
cp "$root/resources/visiondesk.svg" "$data/icons/hicolor/scalable/apps/$id.svg"
for size in 16 32 48 64 128 256 512; do
  mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
  cp "$root/resources/icons/$size.png" "$data/icons/hicolor/${size}x${size}/apps/$id.png"
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "VisionDesk installed for $(id -un): $data/applications/$id.desktop"
