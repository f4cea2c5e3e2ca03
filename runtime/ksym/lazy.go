package ksym

import (
	"os"
	"sync"
)

// Lazy loads the kernel symbol table once, on first use, so runs that
// never print an address never read /proc/kallsyms.
type Lazy struct {
	path string
	once sync.Once
	tab  *Table
	err  error
}

// NewLazy returns a lazy table read from path.
func NewLazy(path string) *Lazy { return &Lazy{path: path} }

// Table returns the loaded table; after a failed load it is empty and Err
// says why.
func (s *Lazy) Table() *Table {
	s.once.Do(func() {
		s.tab = &Table{}
		b, err := os.ReadFile(s.path)
		if err != nil {
			s.err = err
			return
		}
		s.tab = New(string(b))
	})
	return s.tab
}

// Err says why the table could not be loaded; nil before the first
// Table call and after a good load.
func (s *Lazy) Err() error { return s.err }
