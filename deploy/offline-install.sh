#!/bin/sh
# 同心三原 流动e家: install or upgrade from an offline bundle (deploy/offline_bundle.py copies
# this file into each bundle as install.sh). Never touches the network.
#
#   ./install.sh [APP_DIR]          default /srv/sanyuan/app; run it as the sanyuan user
#   PYTHON=/opt/python3.11/bin/python3.11 ./install.sh …    when python3 is not 3.11
#
# 1. checks every file against SHA256SUMS; 2. checks Python 3.11 and glibc >= 2.28;
# 3. unpacks the code into APP_DIR (files of an older version are overwritten, .env and
# .venv are kept); 4. creates APP_DIR/.venv if missing; 5. installs the locked packages
# (hashes checked again by pip) and the project's wheel from wheels/, with --no-index.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
app=${1:-/srv/sanyuan/app}
python=${PYTHON:-python3}

echo "== 校验安装包（SHA256SUMS）"
(cd "$here" && sha256sum --quiet --strict -c SHA256SUMS) || {
  echo "安装包文件损坏或被改动，请重新拷贝。" >&2
  exit 1
}

echo "== 检查 Python 与 glibc"
"$python" - <<'EOF' || exit 1
import platform, sys
libc, version = platform.libc_ver()
problems = []
if sys.version_info[:2] != (3, 11):
    problems.append(f"需要 Python 3.11，当前为 {platform.python_version()}（用 PYTHON=… 指定）")
if libc != "glibc" or tuple(int(x) for x in version.split(".")[:2]) < (2, 28):
    problems.append(f"需要 glibc 2.28 或更新，当前为 {libc} {version}")
if problems:
    sys.exit("；".join(problems))
EOF

echo "== 解压代码到 $app"
mkdir -p "$app"
tar -xzf "$here"/sanyuan-*-src.tar.gz -C "$app" --strip-components=1

echo "== 安装依赖（离线，不访问网络）"
# The target's own pip configuration (an index, find-links) must not change what is installed.
PIP_CONFIG_FILE=/dev/null
PIP_NO_INDEX=1
PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_CONFIG_FILE PIP_NO_INDEX PIP_DISABLE_PIP_VERSION_CHECK
test -x "$app/.venv/bin/python" || "$python" -m venv "$app/.venv"
pip="$app/.venv/bin/python -m pip"
$pip install --quiet --find-links "$here/wheels" --upgrade pip setuptools wheel
# psycopg2 (built from source by older installs) and psycopg2-binary own the same files.
$pip uninstall --quiet --yes psycopg2 >/dev/null 2>&1 || true
$pip install --quiet --find-links "$here/wheels" --require-hashes -r "$here/requirements.txt"
$pip install --quiet --no-deps --force-reinstall "$here"/wheels/sanyuan_liudong_ejia-*.whl

echo "== 完成：$app/.venv"
echo "下一步：配置 /etc/sanyuan/sanyuan.env，然后 manage.py migrate、collectstatic、check --deploy（见 docs/部署运维手册.md）。"
