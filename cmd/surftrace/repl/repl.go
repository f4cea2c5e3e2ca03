// Package repl is surftrace's interactive shell (surftrace repl): every
// probe entered, as an expression line or a .st block, is compiled and
// attached at once, and its events print between prompts until it is
// detached. Dot commands list, detach and inspect probes and their maps.
//
// The line editor is github.com/chzyer/readline when In is a terminal
// (history file, tab completion of probe kinds, kernel functions,
// tracepoints and struct members after "->"); otherwise lines are read
// plainly, so a script can be piped in.
package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/surftrace/surftrace/spec"

	"github.com/chzyer/readline"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/kernel"
	"github.com/surftrace/surftrace/kernel/tracingdir"
	"github.com/surftrace/surftrace/runtime"
)

// Config says where the REPL reads and writes and what it compiles for.
type Config struct {
	// In is the terminal (os.Stdin) or any reader of lines.
	In io.Reader
	// Out receives events and command output; Err receives errors.
	Out, Err io.Writer
	// Kernel is what probes compile against; nil means the running
	// kernel (kernel.Host).
	Kernel kernel.Kernel
	// HistoryFile keeps entered lines between sessions; "" keeps none.
	HistoryFile string
	// Compile is the base compiler options of every probe (Stack, ...).
	Compile compiler.Options
	// Format is how events print (runtime.Text or runtime.JSON).
	Format runtime.Format
	// Packet and Stack, when set, receive every probe's captured packets
	// and kernel stacks (see runtime.Output), e.g. for --pcap and --folded.
	Packet func(runtime.Packet)
	Stack  func(*spec.Probe, []string)
	// Tracefs is the tracefs mount for tracepoint and function names;
	// "" means the one mounted (tracingdir.Find), else tracingdir.Path.
	Tracefs string
}

const (
	prompt     = "surftrace> "
	contPrompt = "... "
)

// Run reads and runs entries until In ends (Ctrl-D), .quit or ctx is
// done, then detaches every probe. Ctrl-C cancels the entry being typed,
// or, at an empty prompt, silences the events until the next entry.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Kernel == nil {
		cfg.Kernel = &kernel.Host{}
	}
	if cfg.Tracefs == "" {
		cfg.Tracefs = tracingdir.Path
		if dir, err := tracingdir.Find(); err == nil {
			cfg.Tracefs = dir
		}
	}
	s := newSession(cfg)
	defer s.detachAll()
	in, err := newInput(cfg, s)
	if err != nil {
		return err
	}
	defer in.close()
	stop := context.AfterFunc(ctx, in.close)
	defer stop()
	var block strings.Builder
	for {
		p := prompt
		if block.Len() > 0 {
			p = contPrompt
		}
		text, err := in.readLine(p)
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			if block.Len() == 0 && text == "" {
				s.out.mute()
			}
			block.Reset()
			continue
		case errors.Is(err, io.EOF) || ctx.Err() != nil:
			return nil
		case err != nil:
			return err
		}
		s.out.unmute()
		block.WriteString(text)
		block.WriteString("\n")
		entry := block.String()
		if openBraces(entry) > 0 {
			continue
		}
		block.Reset()
		if quit := s.enter(strings.TrimSpace(entry)); quit {
			return nil
		}
	}
}

// openBraces counts the braces entry leaves open, ignoring strings and
// comments.
func openBraces(entry string) int {
	depth := 0
	inStr := false
	for i := 0; i < len(entry); i++ {
		c := entry[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '/' && i+1 < len(entry) && entry[i+1] == '/':
			for i < len(entry) && entry[i] != '\n' {
				i++
			}
		case c == '{':
			depth++
		case c == '}':
			depth--
		}
	}
	return depth
}

// input reads lines, through readline on a terminal.
type input struct {
	rl    *readline.Instance
	plain *bufio.Scanner
	once  sync.Once
	done  chan struct{}
}

func newInput(cfg Config, s *session) (*input, error) {
	in := &input{done: make(chan struct{})}
	f, isFile := cfg.In.(*os.File)
	if isFile && readline.IsTerminal(int(f.Fd())) {
		rl, err := readline.NewEx(&readline.Config{
			Prompt:          prompt,
			HistoryFile:     cfg.HistoryFile,
			AutoComplete:    &completer{names: s.names},
			InterruptPrompt: "^C",
			EOFPrompt:       "",
			Stdin:           io.NopCloser(f),
			Stdout:          cfg.Out,
			Stderr:          cfg.Err,
			FuncIsTerminal:  func() bool { return true },
			FuncMakeRaw: func() error {
				_, err := readline.MakeRaw(int(f.Fd()))
				return err
			},
		})
		if err != nil {
			return nil, fmt.Errorf("repl: %w", err)
		}
		in.rl = rl
		s.out.setTerminal(rl)
		return in, nil
	}
	in.plain = bufio.NewScanner(cfg.In)
	return in, nil
}

func (in *input) readLine(p string) (string, error) {
	if in.rl != nil {
		in.rl.SetPrompt(p)
		return in.rl.Readline()
	}
	select {
	case <-in.done:
		return "", io.EOF
	default:
	}
	if !in.plain.Scan() {
		if err := in.plain.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	return in.plain.Text(), nil
}

func (in *input) close() {
	in.once.Do(func() {
		close(in.done)
		if in.rl != nil {
			in.rl.Close()
		}
	})
}
