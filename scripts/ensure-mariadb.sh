#!/usr/bin/env bash
# Make sure a MariaDB/MySQL server answers on $DB_HOST:$DB_PORT (default 127.0.0.1:3306) for the test suite's
# second pass. When none answers: install Debian's mariadb-server (needs root or sudo) and start it in the background.
# Django's test runner creates its own test_<name> database; the account needs CREATE/DROP (root on a CI box).
set -euo pipefail

host="${DB_HOST:-127.0.0.1}"
port="${DB_PORT:-3306}"
user="${DB_USER:-root}"
database="${DB_NAME:-test}"

answers() {
  command -v mysqladmin >/dev/null 2>&1 && mysqladmin --protocol=tcp -h "$host" -P "$port" -u "$user" ping >/dev/null 2>&1
}

if ! answers; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  if [[ ! -x /usr/sbin/mariadbd ]]; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "No MariaDB on $host:$port and no apt-get: start a MySQL/MariaDB server, then run make again." >&2
      exit 1
    fi
    echo "Installing mariadb-server ..."
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q mariadb-server >/dev/null 2>&1 \
      || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q mariadb-server >/dev/null; }
  fi
  echo "Starting MariaDB ..."
  $sudo mkdir -p /run/mysqld
  $sudo chown mysql:mysql /run/mysqld 2>/dev/null || true
  if ! $sudo service mariadb start >/dev/null 2>&1; then
    $sudo start-stop-daemon --start --oknodo --background --chuid mysql --exec /usr/sbin/mariadbd -- \
      --bind-address="$host" --port="$port"
  fi
  for _ in $(seq 1 60); do
    answers && break
    sleep 1
  done
  answers || { echo "MariaDB did not come up on $host:$port" >&2; exit 1; }
  # A fresh Debian install authenticates root by unix socket only; let the suite connect over TCP without a password.
  $sudo mysql -u root -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;" \
    >/dev/null 2>&1 || true
fi

mysql --protocol=tcp -h "$host" -P "$port" -u "$user" -e \
  "CREATE DATABASE IF NOT EXISTS \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
echo "MariaDB ready: mysql://$user@$host:$port/$database"
