package runner

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// printerWidth is dbt's ui.printer_width(): progress lines are padded with
// dots to this many characters before the status.
const printerWidth = 80

// printer writes dbt's console lines, `HH:MM:SS  message`, one event at a
// time.
type printer struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// line prints one event. A message of several lines gets the timestamp on
// its first line only, as dbt's text log does.
func (p *printer) line(msg string) {
	if p.w == nil {
		return
	}
	ts := p.now().UTC().Format("15:04:05")
	p.mu.Lock()
	fmt.Fprintf(p.w, "%s  %s\n", ts, msg)
	p.mu.Unlock()
}

func (p *printer) linef(format string, args ...any) { p.line(fmt.Sprintf(format, args...)) }

// lines prints each line of msg as its own event.
func (p *printer) lines(msg string) {
	for _, l := range strings.Split(msg, "\n") {
		p.line(l)
	}
}

// fancy is dbt's format_fancy_output_line: `1 of 12 START ... [RUN]`, the
// message padded with dots to the printer width.
func fancy(msg, status string, index, total int, elapsed *time.Duration) string {
	prefix := msg + " "
	if index > 0 && total > 0 {
		prefix = fmt.Sprintf("%d of %d %s ", index, total, msg)
	}
	if n := utf8.RuneCountInString(prefix); n < printerWidth {
		prefix += strings.Repeat(".", printerWidth-n)
	}
	timing := ""
	if elapsed != nil {
		timing = fmt.Sprintf(" in %.2fs", elapsed.Seconds())
	}
	return prefix + " [" + status + timing + "]"
}

// pluralize is dbt's pluralize: "1 seed", "3 seeds", "20 data tests".
func pluralize(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, what)
	}
	switch what {
	case "test":
		return fmt.Sprintf("%d data tests", n)
	case "analysis":
		return fmt.Sprintf("%d analyses", n)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// humanizeDuration is dbt's humanize_execution_time.
func humanizeDuration(d time.Duration) string {
	secs := d.Seconds()
	h := int(secs) / 3600
	m := (int(secs) % 3600) / 60
	s := secs - float64(h*3600+m*60)
	return fmt.Sprintf(" in %d hours %d minutes and %.2f seconds (%.2fs)", h, m, s, secs)
}
