package runtime

import "fmt"

// PrintMap prints script map name ("@name") now, in bpftrace's layout
// or as JSON, as print(@name) would. The REPL's .print uses it.
func (t *Tracer) PrintMap(name string, out Output) error {
	if t.maps == nil {
		return fmt.Errorf("print %s: the tracer is closed", name)
	}
	p, err := t.newPrinter(out)
	if err != nil {
		return err
	}
	info := p.mapInfo(name)
	if info == nil {
		return fmt.Errorf("print: unknown map %s", name)
	}
	if err := p.printMap(info); err != nil {
		return err
	}
	return p.flush()
}

// ClearMap deletes every entry of script map name, as clear(@name) would.
func (t *Tracer) ClearMap(name string) error {
	if t.maps == nil {
		return fmt.Errorf("clear %s: the tracer is closed", name)
	}
	p, err := t.newPrinter(Output{})
	if err != nil {
		return err
	}
	return p.onMap(name, clearMap)
}
