package linesink

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// Reconnect backoff for TCP.
const (
	minBackoff   = 100 * time.Millisecond
	maxBackoff   = 5 * time.Second
	dialTimeout  = 5 * time.Second
	writeTimeout = 5 * time.Second
)

// tcpDest writes lines to one TCP connection, reconnecting with backoff
// when it breaks. A line the kernel took just before the peer went away
// can be lost unnoticed, as with any TCP sender without acknowledgements.
type tcpDest struct {
	addr    string
	conn    net.Conn
	backoff time.Duration
	warn    io.Writer
}

func newTCP(addr string, warn io.Writer) (*tcpDest, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, err
	}
	return &tcpDest{addr: addr, warn: warn}, nil
}

// send writes line, dialing (again) first when there is no connection,
// until it is written or ctx ends.
func (d *tcpDest) send(ctx context.Context, line []byte) error {
	for {
		if d.conn == nil {
			if err := d.dial(ctx); err != nil {
				return err
			}
		}
		// A collector that stops reading must not hold the sink forever:
		// the write gives up after writeTimeout, or when ctx ends.
		d.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		stop := context.AfterFunc(ctx, func() { d.conn.SetWriteDeadline(time.Now()) })
		_, err := d.conn.Write(line)
		stop()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Fprintf(d.warn, "surftrace: --sink tcp://%s: %v; reconnecting\n", d.addr, err)
		d.conn.Close()
		d.conn = nil
	}
}

// dial connects, waiting between failed attempts (doubling up to
// maxBackoff), until it succeeds or ctx ends.
func (d *tcpDest) dial(ctx context.Context) error {
	for {
		dialer := net.Dialer{Timeout: dialTimeout}
		conn, err := dialer.DialContext(ctx, "tcp", d.addr)
		if err == nil {
			d.conn, d.backoff = conn, 0
			return nil
		}
		d.backoff = min(max(2*d.backoff, minBackoff), maxBackoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d.backoff):
		}
	}
}

func (d *tcpDest) close() error {
	if d.conn == nil {
		return nil
	}
	return d.conn.Close()
}

// udpDest sends each line as one datagram. UDP has no connection to
// restore: a datagram the network or the collector refuses is lost.
type udpDest struct {
	conn net.Conn
}

func newUDP(addr string) (*udpDest, error) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return nil, err
	}
	return &udpDest{conn: conn}, nil
}

func (d *udpDest) send(_ context.Context, line []byte) error {
	_, err := d.conn.Write(line)
	return err
}

func (d *udpDest) close() error { return d.conn.Close() }
