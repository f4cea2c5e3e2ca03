package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/surftrace/surftrace/internal/ktest"
	"github.com/surftrace/surftrace/internal/netfix"
)

// TestPrometheusScrapesDropmon: Debian's prometheus server scrapes
// `surftrace --metrics ADDR run dropmon` while A sends n datagrams to a
// closed port of B; Prometheus's query API then shows exactly n NO_SOCKET
// drops on B's veth end (its unique name keeps other tests' drops out).
func TestPrometheusScrapesDropmon(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus is missing (make deps installs it): %v", err)
	}
	p := netfix.NewPair(t)
	metricsAddr := freeAddr(t)
	st := startCLI(t, "--metrics", metricsAddr, "run", "dropmon")
	prom := startPrometheus(t, promBin, metricsAddr)

	const n = 7
	must(t, "udp/9")(p.A.SendUDP(netip.MustParseAddrPort("192.0.2.2:9"), []byte("drop me"), n, 5*time.Second))

	query := fmt.Sprintf(`sum(surftrace_drops_total{reason="NO_SOCKET",dev=%q})`, p.DevB)
	deadline := time.Now().Add(60 * time.Second)
	var got string
	for {
		got = promQuery(t, prom, query)
		if got == strconv.Itoa(n) || time.Now().After(deadline) {
			break
		}
		if v, err := strconv.Atoi(got); err == nil && v > n {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if got != strconv.Itoa(n) {
		t.Errorf("%s = %q, want %d\nall dropmon series: %s", query, got, n, promQuery(t, prom, "surftrace_drops_total"))
	}
	if up := promQuery(t, prom, `surftrace_probe_attach_errors_total{probe="tracepoint:skb:kfree_skb"}`); up != "0" {
		t.Errorf("attach errors %q, want 0", up)
	}

	// --metrics runs until signalled, printing nothing on stdout.
	st.cmd.Process.Signal(syscall.SIGTERM)
	if code := st.wait(t, 30*time.Second); code != exitOK {
		t.Errorf("surftrace exit %d after SIGTERM, want 0", code)
	}
	if st.stdout.Len() != 0 {
		t.Errorf("--metrics printed on stdout:\n%s", st.stdout.String())
	}
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startPrometheus runs a prometheus server of its own (temporary config
// and storage, loopback only) that scrapes target every second, and
// returns its address once it answers; it is killed when the test ends.
func startPrometheus(t *testing.T, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: surftrace
    static_configs:
      - targets: [%q]
`, target)
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready at %s after 60s: %v", addr, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// promQuery asks Prometheus's HTTP API for an instant vector and returns
// the value of its only sample, "" when there is none, or all samples'
// labels and values when there are several.
func promQuery(t *testing.T, addr, query string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	if r.Status != "success" {
		t.Fatalf("query %s: %s %s", query, r.Status, r.Error)
	}
	switch len(r.Data.Result) {
	case 0:
		return ""
	case 1:
		return fmt.Sprint(r.Data.Result[0].Value[1])
	}
	return fmt.Sprint(r.Data.Result)
}

// TestSinkSendsJSONLines: --format json --sink tcp://... sends the run's
// JSON lines to a collector and nothing to stdout.
func TestSinkSendsJSONLines(t *testing.T) {
	ktest.RequireFeature(t, ktest.BTF, ktest.Tracepoints, ktest.Ringbuf)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer conn.Close()
		var lines []string
		sc := bufio.NewScanner(conn)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		got <- lines
	}()
	var stdout, stderr bytes.Buffer
	code := run([]string{"--format", "json", "--sink", "tcp://" + ln.Addr().String(), "-c", "/bin/true",
		"e sched/sched_process_exec f:$comm==true"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout got %q; the lines belong to the sink", stdout.String())
	}
	var lines []string
	select {
	case lines = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the collector got no connection")
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], `{"type":"event","probe":"e0"`) || !json.Valid([]byte(lines[0])) {
		t.Errorf("collector got %q, want one JSON event", lines)
	}
}
