package repl

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/surftrace/surftrace/spec"

	"github.com/surftrace/surftrace/compiler"
	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/line"
	"github.com/surftrace/surftrace/lang/script"
	"github.com/surftrace/surftrace/runtime"
)

// session holds the attached probes of one REPL run.
type session struct {
	cfg    Config
	out    *output
	names  *names
	nextID int
	probes map[int]*attached
}

// attached is one entry: its program, its tracer and the goroutine that
// prints its events.
type attached struct {
	id     int
	src    string
	prog   *spec.Program
	tracer *runtime.Tracer
	cancel context.CancelFunc
	done   sync.WaitGroup
}

func newSession(cfg Config) *session {
	out := &output{w: cfg.Out}
	return &session{cfg: cfg, out: out, names: newNames(cfg), nextID: 1, probes: map[int]*attached{}}
}

// enter runs one complete entry: a dot command or a probe to attach. It
// reports whether the REPL should end.
func (s *session) enter(entry string) (quit bool) {
	switch {
	case entry == "":
		return false
	case strings.HasPrefix(entry, "."):
		return s.command(entry)
	}
	if err := s.attach(entry); err != nil {
		fmt.Fprintln(s.cfg.Err, err)
	}
	return false
}

// attach compiles entry, loads it and attaches it, then prints its events
// from a goroutine until it is detached.
func (s *session) attach(entry string) error {
	id := s.nextID
	src := &lang.Source{Name: fmt.Sprintf("<%d>", id), Text: entry}
	var prog *lang.Program
	var err error
	if strings.Contains(entry, "{") {
		prog, err = script.Parse(src)
	} else {
		prog, err = line.Parse(src, id)
	}
	if err != nil {
		return err
	}
	s.names.mu.Lock()
	p, err := compiler.Compile(prog, s.cfg.Kernel, s.cfg.Compile)
	s.names.mu.Unlock()
	if err != nil {
		return err
	}
	t, err := runtime.Load(p, runtime.Options{})
	if err != nil {
		return err
	}
	if err := t.Attach(); err != nil {
		t.Close()
		return err
	}
	s.nextID++
	ctx, cancel := context.WithCancel(context.Background())
	a := &attached{id: id, src: entry, prog: p, tracer: t, cancel: cancel}
	s.probes[id] = a
	out := runtime.Output{W: s.out, Warn: s.out, Format: s.cfg.Format, Packet: s.cfg.Packet, Stack: s.cfg.Stack}
	a.done.Go(func() {
		if err := t.Run(ctx, out); err != nil {
			s.out.printf("probe %d: %v\n", id, err)
		}
	})
	s.out.printf("attached %d: %s\n", id, probeNames(p))
	return nil
}

// detach stops a's output, runs its END probes and releases it.
func (s *session) detach(a *attached) error {
	a.cancel()
	a.done.Wait()
	delete(s.probes, a.id)
	return a.tracer.Close()
}

func (s *session) detachAll() {
	for _, id := range s.ids() {
		s.detach(s.probes[id])
	}
}

func (s *session) ids() []int {
	ids := make([]int, 0, len(s.probes))
	for id := range s.probes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func probeNames(p *spec.Program) string {
	var names []string
	for _, pr := range p.Probes {
		names = append(names, pr.Name+" ("+pr.Target+")")
	}
	return strings.Join(names, ", ")
}

const help = `Enter an expression line (p FUNC ..., r FUNC ..., e SUBSYS/EVENT ...) or a
.st block (braces may span lines); it attaches at once and its events print
between prompts. Tab completes probe kinds, functions, tracepoints and struct
members after "->". Ctrl-C cancels the entry being typed, or at an empty
prompt silences events until the next entry; Ctrl-D leaves.
  .list, .probes     attached probes with their ids
  .detach ID|all     detach probes
  .maps              script maps of the attached probes
  .print @m [ID]     print a map now      .clear @m [ID]   clear a map
  .asm ID            the eBPF listing of a probe
  .help              this text            .quit            detach all and leave
`

// command runs a dot command.
func (s *session) command(entry string) (quit bool) {
	args := strings.Fields(entry)
	switch args[0] {
	case ".quit", ".exit", ".q":
		return true
	case ".help", ".h":
		s.out.printf("%s", help)
	case ".list", ".probes":
		if len(s.probes) == 0 {
			s.out.printf("no probes attached\n")
		}
		for _, id := range s.ids() {
			a := s.probes[id]
			s.out.printf("%d\t%s\t%s\n", id, probeNames(a.prog), oneLine(a.src))
		}
	case ".detach":
		s.detachCmd(args[1:])
	case ".maps":
		for _, id := range s.ids() {
			for _, m := range s.probes[id].prog.ScriptMaps {
				s.out.printf("%d\t%s\n", id, m.Name)
			}
		}
	case ".print", ".clear":
		s.mapCmd(args[0], args[1:])
	case ".asm":
		a := s.probeArg(args[1:])
		if a != nil {
			s.out.printf("%s", compiler.Listing(a.prog))
		}
	default:
		s.errorf("unknown command %s (.help lists them)", args[0])
	}
	return false
}

func (s *session) detachCmd(args []string) {
	if len(args) == 1 && args[0] == "all" {
		n := len(s.probes)
		s.detachAll()
		s.out.printf("detached %d probes\n", n)
		return
	}
	a := s.probeArg(args)
	if a == nil {
		return
	}
	if err := s.detach(a); err != nil {
		s.errorf("detach %d: %v", a.id, err)
	}
	s.out.printf("detached %d\n", a.id)
}

// mapCmd prints or clears @m of probe ID, or of every probe that has it.
func (s *session) mapCmd(cmd string, args []string) {
	if len(args) == 0 || !strings.HasPrefix(args[0], "@") {
		s.errorf("usage: %s @map [ID]", cmd)
		return
	}
	name, found := args[0], false
	for _, id := range s.ids() {
		if len(args) > 1 && args[1] != strconv.Itoa(id) {
			continue
		}
		a := s.probes[id]
		if !slices.ContainsFunc(a.prog.ScriptMaps, func(m *spec.MapInfo) bool { return m.Name == name }) {
			continue
		}
		found = true
		var err error
		if cmd == ".print" {
			err = a.tracer.PrintMap(name, runtime.Output{W: s.out, Warn: s.out, Format: s.cfg.Format})
		} else {
			err = a.tracer.ClearMap(name)
		}
		if err != nil {
			s.errorf("%d: %v", id, err)
		}
	}
	if !found {
		s.errorf("no attached probe has map %s", name)
	}
}

// probeArg finds the attached probe args[0] names.
func (s *session) probeArg(args []string) *attached {
	if len(args) != 1 {
		s.errorf("want one probe id (.list shows them)")
		return nil
	}
	id, err := strconv.Atoi(args[0])
	a := s.probes[id]
	if err != nil || a == nil {
		s.errorf("no probe %s attached (.list shows them)", args[0])
		return nil
	}
	return a
}

func (s *session) errorf(format string, args ...any) {
	fmt.Fprintf(s.cfg.Err, format+"\n", args...)
}

func oneLine(src string) string {
	return strings.Join(strings.Fields(src), " ")
}
