package uelf

import "github.com/ianlancetaylor/demangle"

// Demangled returns a C++ (or Rust) symbol's readable name, with its
// parameter list ("ns::Foo::bar(int)"); other names unchanged.
func Demangled(name string) string { return demangle.Filter(name) }
