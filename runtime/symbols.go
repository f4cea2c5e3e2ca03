package runtime

import (
	"os"
	"sync"
)

// symbols loads the kernel symbol table once, on first use, so tracers
// that never print an address never read /proc/kallsyms.
type symbols struct {
	path string
	once sync.Once
	tab  *kallsyms
	err  error
}

// newSymbols returns a lazy table read from path.
func newSymbols(path string) *symbols { return &symbols{path: path} }

// table returns the loaded table; after a failed load it is empty and
// err says why.
func (s *symbols) table() *kallsyms {
	s.once.Do(func() {
		s.tab = &kallsyms{}
		b, err := os.ReadFile(s.path)
		if err != nil {
			s.err = err
			return
		}
		s.tab = newKallsyms(string(b))
	})
	return s.tab
}
