#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from the test fixtures.
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../tests/fixtures
seed() { # target, files...
  local target=$1; shift
  mkdir -p "corpus/$target"
  for f in "$@"; do
    [ -f "$f" ] || continue
    # Whole files, and each file's first 4 KiB: small inputs mutate faster.
    cp "$f" "corpus/$target/$(echo "$f" | tr '/' '_')"
    head -c 4096 "$f" > "corpus/$target/head_$(echo "$f" | tr '/' '_')"
  done
}
seed parse_netfilter $fixtures/samples/psad/iptables_* $fixtures/samples/elastic/iptables_*
seed parse_ipchains $fixtures/paper/*/ipchains.log $fixtures/samples/ipchains/*
seed parse_pf $fixtures/samples/psad/pf_*
seed parse_sunscreen $fixtures/paper/*/sunscreen.log
seed parse_snort_full $fixtures/paper/*/snort.alert $fixtures/samples/snort/* $fixtures/samples/elastic/snort_test-log-full.log
seed parse_snort_fast $fixtures/samples/elastic/snort_test-log-fast.log
seed parse_snort_syslog $fixtures/samples/elastic/snort_test-log-fast.log
seed parse_cisco_asa $fixtures/samples/vendor/cisco_asa.log
seed parse_cisco_ios $fixtures/samples/vendor/cisco_ios.log
seed parse_filterlog $fixtures/samples/vendor/filterlog.log
seed parse_ipfilter $fixtures/samples/vendor/ipmon.log
seed parse_ipfw $fixtures/samples/vendor/ipfw.log
seed parse_windows_firewall $fixtures/samples/vendor/windows_firewall.log
seed parse_juniper $fixtures/samples/vendor/juniper.log
seed parse_fortigate $fixtures/samples/vendor/fortigate.log
seed parse_suricata_eve $fixtures/samples/suricata_eve/eve_udp_flow.json
seed parse_zeek_conn $fixtures/samples/zeek/*.log $fixtures/samples/zeek/*.json
seed parse_journald $fixtures/samples/elastic/iptables_test-iptables-raw.log
seed parse_pcap $fixtures/samples/pcaps/*/*.pcap $fixtures/samples/pcaps/*/*.pcapng $fixtures/samples/pcaps/*/*.trace
seed analyze $fixtures/paper/*/* $fixtures/samples/psad/iptables_syn_sweep $fixtures/samples/vendor/*.log
echo "seeded $(ls corpus | wc -l) corpora"
