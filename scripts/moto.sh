# Sourced by the test and benchmark scripts: installs the pinned moto emulator into a local
# virtualenv and starts it on a free loopback port. Sets MOTO_URL and WARDEN_VENV_PY; stops the
# server on exit.
MOTO_VERSION="5.2.5"
VENV="${WARDEN_VENV:-$PWD/.venv}"

if ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "installing moto[server]==$MOTO_VERSION into $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
WARDEN_VENV_PY="$VENV/bin/python"

moto_port="$("$WARDEN_VENV_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
moto_log="$(mktemp -t warden-moto.XXXXXX.log)"
MOTO_EC2_LOAD_DEFAULT_AMIS=false "$VENV/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
moto_pid=$!
stop_moto() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  rm -f "$moto_log"
}
trap stop_moto EXIT

for _ in $(seq 1 100); do
  if "$WARDEN_VENV_PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$moto_port/moto-api/', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "the moto emulator exited at start:" >&2
    cat "$moto_log" >&2
    exit 1
  fi
  sleep 0.2
done
MOTO_URL="http://127.0.0.1:$moto_port"

# Only the emulator, with throwaway credentials and no user AWS config.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL || true
