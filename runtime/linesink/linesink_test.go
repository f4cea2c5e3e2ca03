package linesink

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lines makes n JSON lines.
func lines(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"type":"event","n":%d}`, i)
	}
	return out
}

// writeAll writes the lines in pieces that cut them across writes, as no
// caller should rely on writes being whole lines.
func writeAll(t *testing.T, s *Sink, ls []string) {
	t.Helper()
	text := strings.Join(ls, "\n") + "\n"
	for len(text) > 0 {
		n := min(len(text), 7)
		if _, err := s.Write([]byte(text[:n])); err != nil {
			t.Fatal(err)
		}
		text = text[n:]
	}
}

// TestTCP: every line arrives, in order, as one line.
func TestTCP(t *testing.T) {
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
		var ls []string
		sc := bufio.NewScanner(conn)
		for sc.Scan() {
			ls = append(ls, sc.Text())
		}
		got <- ls
	}()
	s, err := Open("tcp://"+ln.Addr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := lines(200)
	writeAll(t, s, want)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if ls := <-got; strings.Join(ls, "\n") != strings.Join(want, "\n") {
		t.Errorf("collector got %d lines, want %d in order", len(ls), len(want))
	}
	if s.Sent() != 200 || s.Dropped() != 0 || s.Report() != "" {
		t.Errorf("sent %d, dropped %d, report %q; want 200, 0, none", s.Sent(), s.Dropped(), s.Report())
	}
}

// TestTCPReconnect: when the collector drops the connection, the sink
// dials again and later lines arrive on the new connection.
func TestTCPReconnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	second := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		bufio.NewReader(conn).ReadString('\n') // one line, then hang up
		conn.Close()
		conn, err = ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		line, _ := bufio.NewReader(conn).ReadString('\n')
		second <- line
	}()
	s, err := Open("tcp://"+ln.Addr().String(), Options{Drain: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Lines written into the dead connection before the kernel reports
	// the reset may vanish (TCP), so keep writing, a bounded number of
	// times, until one arrives on the second connection.
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		select {
		case line := <-second:
			if !strings.HasPrefix(line, `{"type":"event"`) {
				t.Errorf("second connection got %q", line)
			}
			return
		case <-deadline:
			t.Fatalf("no line on a second connection after %d writes", i)
		case <-time.After(20 * time.Millisecond):
			fmt.Fprintf(s, "{\"type\":\"event\",\"n\":%d}\n", i)
		}
	}
}

// TestUDP: one datagram per line.
func TestUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	s, err := Open("udp://"+pc.LocalAddr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := lines(50)
	writeAll(t, s, want)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2048)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i, w := range want {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
		if got := string(buf[:n]); got != w+"\n" {
			t.Fatalf("datagram %d is %q, want %q", i, got, w+"\n")
		}
	}
}

// TestQueueLosses: with the collector down, the queue fills and every
// line that never left is counted, whether it found the queue full or was
// still queued when Close gave up.
func TestQueueLosses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens: every dial is refused
	s, err := Open("tcp://"+addr, Options{Queue: 10, Drain: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, s, lines(100))
	if d := s.Dropped(); d < 89 {
		t.Errorf("dropped %d before Close, want at least 89 (queue of 10, one in hand)", d)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.Sent() != 0 || s.Dropped() != 100 {
		t.Errorf("sent %d, dropped %d; want 0, 100", s.Sent(), s.Dropped())
	}
	if r := s.Report(); !strings.Contains(r, "dropped 100 of 100 lines") {
		t.Errorf("report %q", r)
	}
}

// TestFileAndStdout: a path is appended to; "-" writes to Stdout; a last
// line without a newline gets one at Close.
func TestFileAndStdout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(s, "a\nb")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old\na\nb\n" {
		t.Errorf("file holds %q", b)
	}
	var out strings.Builder
	s, err = Open("-", Options{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(s, "x\n")
	s.Close()
	if out.String() != "x\n" {
		t.Errorf("stdout got %q", out.String())
	}
	if _, err := Open("http://example.invalid", Options{}); err == nil {
		t.Error("an http:// destination was accepted")
	}
}
