package runtime

import (
	"fmt"
	"strings"
	"time"
)

// defaultTimeFormat is bpftrace's format for time() without an argument.
const defaultTimeFormat = "%H:%M:%S\n"

// strftime formats t like C's strftime for the conversions scripts use;
// an unknown conversion is copied through unchanged.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		if s, ok := strftimeConversion(format[i], t); ok {
			b.WriteString(s)
		} else {
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// strftimeConversion renders one conversion character.
func strftimeConversion(c byte, t time.Time) (string, bool) {
	switch c {
	case 'a':
		return t.Format("Mon"), true
	case 'A':
		return t.Format("Monday"), true
	case 'b', 'h':
		return t.Format("Jan"), true
	case 'B':
		return t.Format("January"), true
	case 'c':
		return t.Format("Mon Jan _2 15:04:05 2006"), true
	case 'C':
		return fmt.Sprintf("%02d", t.Year()/100), true
	case 'd':
		return fmt.Sprintf("%02d", t.Day()), true
	case 'D':
		return t.Format("01/02/06"), true
	case 'e':
		return fmt.Sprintf("%2d", t.Day()), true
	case 'F':
		return t.Format("2006-01-02"), true
	case 'H':
		return fmt.Sprintf("%02d", t.Hour()), true
	case 'I':
		return t.Format("03"), true
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay()), true
	case 'k':
		return fmt.Sprintf("%2d", t.Hour()), true
	case 'm':
		return fmt.Sprintf("%02d", int(t.Month())), true
	case 'M':
		return fmt.Sprintf("%02d", t.Minute()), true
	case 'n':
		return "\n", true
	case 'p':
		return t.Format("PM"), true
	case 'r':
		return t.Format("03:04:05 PM"), true
	case 'R':
		return t.Format("15:04"), true
	case 's':
		return fmt.Sprint(t.Unix()), true
	case 'S':
		return fmt.Sprintf("%02d", t.Second()), true
	case 'f': // bpftrace's extension: microseconds
		return fmt.Sprintf("%06d", t.Nanosecond()/1000), true
	case 't':
		return "\t", true
	case 'T':
		return t.Format("15:04:05"), true
	case 'u':
		return fmt.Sprint((int(t.Weekday())+6)%7 + 1), true
	case 'w':
		return fmt.Sprint(int(t.Weekday())), true
	case 'x':
		return t.Format("01/02/06"), true
	case 'X':
		return t.Format("15:04:05"), true
	case 'y':
		return fmt.Sprintf("%02d", t.Year()%100), true
	case 'Y':
		return fmt.Sprint(t.Year()), true
	case 'z':
		return t.Format("-0700"), true
	case 'Z':
		return t.Format("MST"), true
	case '%':
		return "%", true
	}
	return "", false
}
