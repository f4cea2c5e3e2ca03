package repl

import (
	"fmt"
	"io"
	"sync"

	"github.com/chzyer/readline"
)

// output is the one writer every probe's events and every command's text
// go through: it serializes them, redraws the prompt after them on a
// terminal, and drops them while muted (Ctrl-C at an empty prompt).
type output struct {
	mu      sync.Mutex
	w       io.Writer
	rl      *readline.Instance
	muted   bool
	dropped int // writes dropped while muted
}

func (o *output) setTerminal(rl *readline.Instance) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rl = rl
}

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.muted {
		o.dropped++
		return len(b), nil
	}
	if o.rl != nil {
		// readline clears the input line, writes, and redraws it.
		return o.rl.Write(b)
	}
	return o.w.Write(b)
}

// printf writes command output, even while events are muted.
func (o *output) printf(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	text := fmt.Sprintf(format, args...)
	if o.rl != nil {
		o.rl.Write([]byte(text))
		return
	}
	io.WriteString(o.w, text)
}

func (o *output) mute() {
	o.mu.Lock()
	o.muted = true
	o.mu.Unlock()
	o.printf("(events silenced until the next entry)\n")
}

func (o *output) unmute() {
	o.mu.Lock()
	was, n := o.muted, o.dropped
	o.muted, o.dropped = false, 0
	o.mu.Unlock()
	if was && n > 0 {
		o.printf("(%d event writes were silenced)\n", n)
	}
}
