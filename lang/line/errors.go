package line

import (
	"errors"
	"regexp"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/surftrace/surftrace/lang"
)

// What the parser may want, in words for the user.
const (
	wantTarget  = "a symbol"
	wantValue   = "a value such as %0, $retval or @(struct iphdr *)l3%0"
	wantClose   = `")" to end the cast`
	wantOperand = "a field name, $comm, a number, a string or ("
)

// formatLetter matches a line that ends in "=" and a format letter.
var formatLetter = regexp.MustCompile(`=[A-Za-z_]$`)

// wants maps what participle expected, by the first symbol of its EBNF, to
// words for the user.
var wants = []struct{ prefix, want string }{
	{"Target", wantTarget},
	{`"="`, `"=" after the field name`},
	{"Primary", wantValue},
	{"TypeName", "a type such as struct sk_buff * or u32"},
	{"<typeclose>", wantClose},
	{"SkbClose", wantClose},
	{"(<ident> | <letter>)", "a member name"},
	{"IntTok", "an integer index"},
	{`"]"`, `"]"`},
	{`")"`, `")"`},
	{"OrExpr", wantOperand},
	{"CmpExpr", wantOperand},
	{"UnaryExpr", wantOperand},
}

// expected pulls participle's "(expected X)" out of its message.
var expected = regexp.MustCompile(`\(expected (.*)\)$`)

// syntaxError turns a participle error on line text into a *lang.Error.
// tree is the partial parse tree, which tells where on the line the parser
// was.
func (c *converter) syntaxError(err error, text string, tree *probeLine) *lang.Error {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return lang.Errorf(c.tokSpan(lexer.Position{}, len(text)), "%v", err)
	}
	if tree == nil {
		tree = &probeLine{}
	}
	pos := perr.Position()
	var tokText string
	if ute, ok := perr.(*participle.UnexpectedTokenError); ok && !ute.Unexpected.EOF() {
		tokText = ute.Unexpected.Value
	}
	want := want(perr.Message(), text[:pos.Offset], tree)
	if tokText == "" {
		sp := c.tokSpan(pos, 0)
		switch {
		case want == wantTarget && tree.Kind == "e":
			return lang.Errorf(sp, "missing SUBSYS/EVENT after e")
		case want == wantTarget:
			return lang.Errorf(sp, "missing symbol after %s", tree.Kind)
		case want == wantClose:
			return lang.Errorf(sp, "unterminated cast, want )")
		}
		return lang.Errorf(sp, "unexpected end of line, want %s", want)
	}
	sp := c.tokSpan(pos, len(tokText))
	switch {
	case tokText == `"` && tree.Filter != nil:
		return lang.Errorf(sp, "unterminated string")
	case tokText == "=" && tree.Filter != nil:
		return lang.Errorf(sp, "unexpected \"=\", want %s", want).WithHint("did you mean ==?")
	case tokText == "+" && want == wantValue:
		return lang.Errorf(sp, "unexpected \"+\", want %s", want).
			WithHint("ftrace fetch-args such as +0x9(+0xf0(%di)):u8 are not accepted; write @(struct iphdr *)l3%0->protocol")
	}
	return lang.Errorf(sp, "unexpected %q, want %s", tokText, want)
}

// want says what the parser wanted, from participle's message, the text
// of the line before the error, and where the partial tree stopped.
func want(msg, before string, tree *probeLine) string {
	before = strings.TrimRight(before, " \t\r")
	switch {
	case tree.Kind == "":
		return "p, r or e"
	case formatLetter.MatchString(before):
		return wantValue
	}
	if m := expected.FindStringSubmatch(msg); m != nil {
		for _, w := range wants {
			if strings.HasPrefix(m[1], w.prefix) {
				return w.want
			}
		}
		return m[1]
	}
	switch {
	case tree.Filter != nil && tree.Filter.X == nil:
		return wantOperand
	case tree.Filter != nil:
		return "&& or ||"
	case strings.HasSuffix(before, "="):
		return wantValue
	}
	return "NAME=VALUE or f:FILTER"
}
