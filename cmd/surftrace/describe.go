package main

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/surftrace/surftrace/lang"
	"github.com/surftrace/surftrace/lang/getopt"
	"github.com/surftrace/surftrace/lang/script"
)

// describeScript prints `run NAME --help` and `FILE.st --help`: the
// script's doc comment, then its parameters: the named ones its getopt
// declarations give (the one list `run --list` and the command line's
// checks use too), and the positional ones it reads, each as a string
// (str($N)) or a number.
func describeScript(c *config, w io.Writer) error {
	name, doc, text := c.args[0], "", ""
	if c.sub == "run" {
		s, err := stdlibScript(name)
		if err != nil {
			return err
		}
		name, doc, text = s.File, s.Doc, s.Text
	} else {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		text = string(b)
	}
	prog, err := script.Parse(&lang.Source{Name: name, Text: text})
	if err != nil {
		return err
	}
	params, err := getopt.Declared(prog)
	if err != nil {
		return err
	}
	uses := map[int]string{}
	paramUses(reflect.ValueOf(prog), uses)
	fmt.Fprint(w, doc)
	if len(params) == 0 && len(uses) == 0 {
		fmt.Fprintln(w, "\nParameters: none.")
	} else {
		fmt.Fprintln(w, "\nParameters:")
		fmt.Fprint(w, getopt.Usage(params))
		ns := make([]int, 0, len(uses))
		for n := range uses {
			ns = append(ns, n)
		}
		sort.Ints(ns)
		for _, n := range ns {
			fmt.Fprintf(w, "    $%d  %s\n", n, uses[n])
		}
	}
	if c.sub == "run" {
		fmt.Fprintf(w, "\nFlags (surftrace --help) go before or after NAME: surftrace run %s --duration 10s\n", c.args[0])
	} else {
		fmt.Fprintf(w, "\nFlags (surftrace --help) go before or after the file: surftrace %s --duration 10s\n", name)
	}
	return nil
}

// paramUses records, for every positional parameter $N in v, whether the
// script reads it as a string (inside str()) or a number.
func paramUses(v reflect.Value, uses map[int]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		switch e := v.Interface().(type) {
		case *lang.Call:
			if len(e.Args) > 0 && e.Name == "str" {
				if n := paramNumber(e.Args[0]); n > 0 {
					uses[n] = "a string"
				}
			}
		case *lang.Var:
			if n := paramNumber(e); n > 0 && uses[n] == "" {
				uses[n] = "a number"
			}
			return
		}
		paramUses(v.Elem(), uses)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				paramUses(v.Field(i), uses)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			paramUses(v.Index(i), uses)
		}
	}
}

// paramNumber is N for the variable $N, else 0.
func paramNumber(e lang.Expr) int {
	v, ok := e.(*lang.Var)
	if !ok || strings.HasPrefix(v.Name, "0") {
		return 0
	}
	n, err := strconv.Atoi(v.Name)
	if err != nil {
		return 0
	}
	return n
}
