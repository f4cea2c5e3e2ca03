package compiler

import (
	"reflect"
	"strings"

	"github.com/surftrace/surftrace/lang"
)

// consts knows what a program's conditions may use besides literals:
// the probe builtin (the attach point's name) where it is set.
type consts struct {
	probe string
}

// constTruth is consts{}.truth: a condition known in every program.
func constTruth(e lang.Expr) (bool, bool) { return consts{}.truth(e) }

// truth evaluates a condition made only of literals, as a script's
// parameters become once bound (getopt values, $1, str($1)): integers
// and strings, ! and unary -, the comparisons, && and ||, and
// strcontains of two strings; and probe in a program (the attach point
// as written: strcontains(probe, "kprobe:") tells a block's kprobes from
// its tracepoints). ok is false when any part is not known before the
// program runs. && and || are known when one side is known
// and settles the result (the right side only when the left one changes
// nothing: no ++ or --).
//
// A probe block whose predicate is known false is not compiled, so
// nothing is attached for it; a side of && or || that the other side
// decides is not compiled either, nor the side of an if statement whose
// condition is known.
func (k consts) truth(e lang.Expr) (truth, ok bool) {
	if x, ok := e.(*lang.Binary); ok && (x.Op == "&&" || x.Op == "||") {
		stop := x.Op == "||" // the value of one side that decides
		l, lok := k.truth(x.X)
		if lok && l == stop {
			return stop, true
		}
		r, rok := k.truth(x.Y)
		if rok && r == stop && !changes(x.X) {
			return stop, true
		}
		return !stop, lok && rok
	}
	if x, ok := e.(*lang.Unary); ok && x.Op == "!" {
		v, ok := k.truth(x.X)
		return !v, ok
	}
	if x, ok := e.(*lang.Binary); ok {
		if a, aok := k.str(x.X); aok {
			b, bok := k.str(x.Y)
			if !bok {
				return false, false
			}
			switch x.Op {
			case "==":
				return a == b, true
			case "!=":
				return a != b, true
			}
			return false, false
		}
	}
	if x, ok := e.(*lang.Call); ok && x.Name == "strcontains" && len(x.Args) == 2 {
		hay, hok := k.str(x.Args[0])
		needle, nok := k.str(x.Args[1])
		return hok && nok && strings.Contains(hay, needle), hok && nok
	}
	v, ok := k.int(e)
	return v != 0, ok
}

// constString is the value of a string literal, of str() of one (a
// bound str($1)), or of a getopt() no command line bound (its default,
// as the compiler takes it).
func (k consts) str(e lang.Expr) (string, bool) {
	if c, ok := e.(*lang.Call); ok {
		switch {
		case c.Name == "str" && len(c.Args) == 1:
			e = c.Args[0]
		case c.Name == "getopt" && len(c.Args) >= 2:
			e = c.Args[1]
		}
	}
	if s, ok := e.(*lang.StrLit); ok {
		return s.Value, true
	}
	if id, ok := e.(*lang.Ident); ok && id.Name == "probe" && k.probe != "" {
		return k.probe, true
	}
	return "", false
}

// constInt is the value of an integer expression of literals.
func (k consts) int(e lang.Expr) (int64, bool) {
	switch x := e.(type) {
	case *lang.IntLit:
		return int64(x.Value), true
	case *lang.Unary:
		v, ok := k.int(x.X)
		switch x.Op {
		case "-":
			return -v, ok
		case "!":
			return b2i(v == 0), ok
		}
	case *lang.Binary:
		switch x.Op {
		case "&&", "||":
			v, ok := k.truth(x)
			return b2i(v), ok
		case "==", "!=":
			if _, str := k.str(x.X); str {
				v, ok := k.truth(x)
				return b2i(v), ok
			}
		}
		a, aok := k.int(x.X)
		b, bok := k.int(x.Y)
		if !aok || !bok {
			return 0, false
		}
		switch x.Op {
		case "==":
			return b2i(a == b), true
		case "!=":
			return b2i(a != b), true
		case "<":
			return b2i(a < b), true
		case "<=":
			return b2i(a <= b), true
		case ">":
			return b2i(a > b), true
		case ">=":
			return b2i(a >= b), true
		case "+":
			return a + b, true
		case "-":
			return a - b, true
		case "&":
			return a & b, true
		case "|":
			return a | b, true
		}
	case *lang.Call:
		if x.Name == "getopt" && len(x.Args) == 1 {
			return 0, true // a flag no command line set
		}
		if x.Name == "getopt" && len(x.Args) >= 2 {
			return k.int(x.Args[1])
		}
		if x.Name == "strcontains" {
			v, ok := k.truth(x)
			return b2i(v), ok
		}
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// changes reports whether e holds a ++ or --, which must run even where
// its value does not matter.
func changes(e lang.Expr) bool {
	found := false
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return
			}
			if _, ok := v.Interface().(*lang.IncDec); ok {
				found = true
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				if f := v.Type().Field(i); f.IsExported() && f.Type != reflect.TypeOf(lang.Span{}) {
					walk(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(e))
	return found
}
