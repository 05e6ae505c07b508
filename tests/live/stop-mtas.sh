# stop-mtas.sh — sourced by the setup-*.sh scripts: stop_mtas PIDFILE... stops the daemons an
# earlier setup script started by hand (swapping the MTA packages does not stop them) and
# waits, bounded, for 127.0.0.1:25 to be free.
stop_mtas() {
    local pidf pid
    for pidf in "$@"; do
        pid=
        if [ -s "$pidf" ]; then
            read -r pid < "$pidf" || true	# read: Postfix pads its pid with blanks
        fi
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                [ -z "$(ss -Hltn 'sport = :25' 2>/dev/null)" ] && break
                sleep 0.1
            done
        fi
    done
}
