package export

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// MaxSheetRows is the number of rows an XLSX sheet can hold, header included.
const MaxSheetRows = excelize.TotalRows

// XLSXOptions tunes the XLSX encoders.
type XLSXOptions struct {
	// MaxRows is the number of rows per sheet, header included; 0 means
	// MaxSheetRows. When a sheet is full, the table continues on a new sheet
	// named "<name> (2)", then "<name> (3)", and so on, each beginning with
	// the header row.
	MaxRows int
}

// Chart is a column chart of one section: a bar per data row, labelled by
// the cells of the Categories column and as high as those of the Values
// column. It is drawn on the section's sheet, to the right of its table.
type Chart struct {
	Title      string
	Section    int    // index, in the sections written, of the table to plot
	Categories string // Key of the column holding the bar labels
	Values     string // Key of the column holding the bar heights
}

// WriteXLSX writes rows as one XLSX sheet named sheet: a bold header row of
// the columns' SheetHeader, frozen so that it stays in view, with an
// autofilter over the table, then a row per row. Strings pass through
// [Sanitize] (excelize cuts text past Excel's limit of 32,767 characters);
// int, int64, float64 and Fixed are number cells, bool boolean cells, a
// Time a date cell (see [Time]), nil and "" no cell at all, and a []string
// one text cell joined with ", ". Every cell is in SheetFont, named so that
// no program falls back to a font of its own. Sheets roll over as
// opts.MaxRows says. Column widths fit the header and the first 100 rows of
// each sheet, which wait in memory until then. Only excelize's StreamWriter
// writes the cells; the workbook is written to w once every row has been
// read (see the package documentation), so an error from rows leaves w
// untouched.
func WriteXLSX(w io.Writer, sheet string, cols []Column, rows Rows, opts XLSXOptions) error {
	return WriteXLSXSections(w, []Section{{Name: sheet, Columns: cols, Rows: rows}}, nil, opts)
}

// WriteXLSXSections writes several tables into one workbook, each as
// [WriteXLSX] would, on a sheet named after the section. Consecutive sections
// with the same Name share a sheet, one table below the other with an empty
// row between; a name may not come back later. A sheet has one autofilter
// (OOXML allows no more): over its first table. When chart is not nil it is
// drawn next to the section it names, provided that section has rows; if the
// section rolled over several sheets, the chart plots the rows on the last.
func WriteXLSXSections(w io.Writer, sections []Section, chart *Chart, opts XLSXOptions) (err error) {
	maxRows := opts.MaxRows
	if maxRows == 0 {
		maxRows = MaxSheetRows
	}
	if maxRows < 2 || maxRows > MaxSheetRows {
		return fmt.Errorf("export: XLSX MaxRows %d is not between 2 and %d", opts.MaxRows, MaxSheetRows)
	}
	if len(sections) == 0 {
		return errors.New("export: no section to write as XLSX")
	}
	var plot *chartPlan
	if chart != nil {
		if plot, err = planChart(chart, sections); err != nil {
			return err
		}
	}

	f := excelize.NewFile()
	defer func() {
		// Close removes the temporary files of the stream writers.
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("export: closing XLSX: %w", cerr)
		}
	}()
	x := &xlsxWriter{f: f, maxRows: maxRows, names: map[string]bool{}, styles: map[cellStyle]int{}}
	if err := f.SetDefaultFont(SheetFont); err != nil {
		return fmt.Errorf("export: XLSX font: %w", err)
	}
	header := &excelize.Style{Font: &excelize.Font{Bold: true, Family: SheetFont, Size: sheetFontSize}}
	if x.headerStyle, err = f.NewStyle(header); err != nil {
		return fmt.Errorf("export: XLSX header style: %w", err)
	}
	for i, s := range sections {
		if i == 0 || s.Name != sections[i-1].Name {
			if err := x.startSheet(s.Name, 1, s.Title); err != nil {
				return err
			}
		} else if err := x.skipRow(); err != nil {
			return err
		}
		first, err := x.writeSection(s)
		if err != nil {
			return err
		}
		if plot != nil && plot.Section == i && x.row >= first {
			if err := x.addChart(plot, first); err != nil {
				return err
			}
		}
	}
	if err := x.endSheet(); err != nil {
		return err
	}
	// File.Write builds the whole archive in a buffer before copying it to
	// w; a zip writer of our own on w makes it stream the parts instead, so
	// memory stays flat however large the sheets. What is lost is excelize's
	// patch of ZIP64 local headers, which works on that buffer and matters
	// only for a sheet over 4 GiB of XML, when Excel would call the file
	// damaged: about 4 KiB per row over a full sheet of 1,048,576 rows.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if err := f.Write(w); err != nil {
		return fmt.Errorf("export: writing XLSX: %w", err)
	}
	return nil
}

// SheetFont is the font of every XLSX cell. The header's bold used to name
// no font, which LibreOffice then drew in a serif; Arial is on every
// Windows and Mac, and LibreOffice draws it with the metric-compatible
// Liberation Sans that every installation has (Calibri, Excel's default,
// needs Carlito, which is often missing, so columns would not fit).
const SheetFont = "Arial"

// booleanFormat is the number format of boolean cells. Excel shows a
// boolean cell as TRUE or FALSE in its own language whatever the format;
// LibreOffice keeps a boolean as a number and, when the format does not say
// otherwise, draws many of them as 1 and 0. With this format it shows the
// words that Excel in Portuguese, and the Excel dialect of CSV, show.
const booleanFormat = `"VERDADEIRO";"VERDADEIRO";"FALSO"`

// sheetFontSize is the size of SheetFont, in points: that of the default
// font of a new workbook.
const sheetFontSize = 11

// xlsxWriter writes sections sheet by sheet, one StreamWriter at a time.
type xlsxWriter struct {
	f           *excelize.File
	maxRows     int
	names       map[string]bool // sheet names used, folded to lower case as Excel compares them
	headerStyle int
	styles      map[cellStyle]int // the styles of body cells

	sw      *excelize.StreamWriter // the sheet being written
	base    string                 // section name of that sheet
	part    int                    // 1 for the sheet named base, n for "base (n)"
	row     int                    // last row written on the sheet
	pending []pendingRow           // its first rows, until the column widths are set
	widths  []float64              // widths that fit the pending rows
	cells   []any

	// The autofilter of the sheet: the columns of the table headed on its
	// first row (below the title, if any), and the last row of that table
	// once another one follows.
	filterCols, filterEnd int
	top                   int // rows above the first table: the title's
}

// pendingRow is a row kept back until the column widths are known.
type pendingRow struct {
	row   int
	cells []any
	opts  []excelize.RowOpts
}

// Column widths must be set before a sheet's first row is written. They are
// fitted to its first widthSampleRows rows, headers included, kept back
// meanwhile; later rows do not change them.
const (
	widthSampleRows = 100
	minColumnWidth  = 10
	maxColumnWidth  = 60
)

// startSheet creates the sheet for part n of the section name and opens its
// stream writer.
func (x *xlsxWriter) startSheet(base string, part int, title string) error {
	if err := x.endSheet(); err != nil {
		return err
	}
	name := sheetName(base, part)
	key := strings.ToLower(name)
	if x.names[key] {
		return fmt.Errorf("export: XLSX sheet name %q used twice", name)
	}
	x.names[key] = true
	var err error
	if len(x.names) == 1 {
		err = x.f.SetSheetName(x.f.GetSheetName(0), name) // NewFile's "Sheet1"
	} else {
		_, err = x.f.NewSheet(name)
	}
	if err != nil {
		return fmt.Errorf("export: XLSX sheet %q: %w", name, err)
	}
	if x.sw, err = x.f.NewStreamWriter(name); err != nil {
		return fmt.Errorf("export: XLSX sheet %q: %w", name, err)
	}
	x.top = 0
	if title != "" && x.maxRows >= 4 { // see writeTitle
		x.top = 2
	}
	// The header row (and the title above it) stays in view while the
	// rows scroll.
	below := fmt.Sprintf("A%d", x.top+2)
	err = x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: x.top + 1, TopLeftCell: below, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: below, ActiveCell: below, Pane: "bottomLeft"}}})
	if err != nil {
		return fmt.Errorf("export: XLSX sheet %q: %w", name, err)
	}
	x.base, x.part, x.row = base, part, 0
	x.pending, x.widths = []pendingRow{}, nil
	x.filterCols, x.filterEnd = 0, 0
	x.writeTitle(title)
	return nil
}

// endSheet sets the autofilter of the current sheet, if any, and flushes
// its stream writer; excelize wants it done before another sheet is
// streamed.
func (x *xlsxWriter) endSheet() error {
	if x.sw == nil {
		return nil
	}
	if err := x.writePending(); err != nil {
		return err
	}
	if err := x.autoFilter(); err != nil {
		return err
	}
	sw := x.sw
	x.sw = nil
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: XLSX sheet %q: %w", sw.Sheet, err)
	}
	return nil
}

// autoFilter puts the sheet's autofilter over the table headed on its first
// row. excelize writes it into the worksheet that the open StreamWriter
// writes out when flushed (as with charts), so this comes before the flush.
// Filtering leaves a table of other rows alone, but the filter of the
// first table hides whole rows, of a table beside it too: sections are
// placed one below the other, never side by side.
func (x *xlsxWriter) autoFilter() error {
	if x.filterCols == 0 {
		return nil
	}
	end := x.filterEnd
	if end == 0 {
		end = x.row
	}
	last, err := excelize.CoordinatesToCellName(x.filterCols, end)
	if err == nil {
		err = x.f.AutoFilter(x.sw.Sheet, fmt.Sprintf("A%d:%s", x.top+1, last), nil)
	}
	if err != nil {
		return fmt.Errorf("export: XLSX sheet %q, autofilter: %w", x.sw.Sheet, err)
	}
	return nil
}

// skipRow leaves an empty row between two tables of a sheet, or moves to a
// new sheet when the next table's header and first row would not fit.
func (x *xlsxWriter) skipRow() error {
	if x.row+3 > x.maxRows {
		return x.startSheet(x.base, x.part+1, "")
	}
	if x.filterEnd == 0 {
		x.filterEnd = x.row // the sheet's first table ends here
	}
	x.row++
	return nil
}

// writeSection writes the header and rows of s from the current row on, and
// returns the sheet row of its first data row.
func (x *xlsxWriter) writeSection(s Section) (first int, err error) {
	if err := x.writeHeader(s.Columns); err != nil {
		return 0, err
	}
	first = x.row + 1
	if cap(x.cells) < len(s.Columns) {
		x.cells = make([]any, len(s.Columns))
	}
	cells := x.cells[:len(s.Columns)]
	n := 0
	for row, err := range s.Rows {
		if err != nil {
			return 0, err
		}
		n++
		if len(row) != len(s.Columns) {
			return 0, rowLengthError(n, len(row), len(s.Columns))
		}
		for i, v := range row {
			if cells[i], err = x.cell(v); err != nil {
				return 0, fmt.Errorf("export: row %d, column %q: %w", n, s.Columns[i].Key, err)
			}
		}
		if x.row >= x.maxRows {
			if err := x.startSheet(x.base, x.part+1, ""); err != nil {
				return 0, err
			}
			if err := x.writeHeader(s.Columns); err != nil {
				return 0, err
			}
			first = x.row + 1
		}
		if err := x.setRow(cells); err != nil {
			return 0, err
		}
	}
	clear(cells)
	return first, nil
}

// writeTitle writes title, if any, in bold on the first row of the sheet
// just started, and leaves the next one empty. The title spills over the
// empty cells to its right, so it does not widen its column; on sheets too
// short for it and a table (MaxRows under 4) it is left out.
func (x *xlsxWriter) writeTitle(title string) {
	if title == "" || x.maxRows < 4 {
		return
	}
	x.row++
	x.pending = append(x.pending, pendingRow{x.row, []any{Sanitize(title)}, []excelize.RowOpts{{StyleID: x.headerStyle}}})
	x.row++
}

// writeHeader writes the bold header row of cols.
func (x *xlsxWriter) writeHeader(cols []Column) error {
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c.SheetHeader()
	}
	if x.row == x.top {
		x.filterCols = len(cols)
	}
	return x.setRow(header, excelize.RowOpts{StyleID: x.headerStyle})
}

// setRow streams cells as the next row of the sheet, or keeps a copy back
// while the column widths are being fitted.
func (x *xlsxWriter) setRow(cells []any, opts ...excelize.RowOpts) error {
	x.row++
	if x.pending == nil {
		return x.streamRow(x.row, cells, opts)
	}
	x.pending = append(x.pending, pendingRow{x.row, slices.Clone(cells), opts})
	for i, c := range cells {
		if i == len(x.widths) {
			x.widths = append(x.widths, minColumnWidth)
		}
		x.widths[i] = max(x.widths[i], min(cellWidth(c), maxColumnWidth))
	}
	if len(x.pending) == widthSampleRows {
		return x.writePending()
	}
	return nil
}

// writePending sets the column widths of the sheet and writes the rows kept
// back for them.
func (x *xlsxWriter) writePending() error {
	if x.pending == nil {
		return nil
	}
	pending := x.pending
	x.pending = nil
	for i, wd := range x.widths {
		if err := x.sw.SetColWidth(i+1, i+1, wd); err != nil {
			return fmt.Errorf("export: XLSX sheet %q: %w", x.sw.Sheet, err)
		}
	}
	for _, p := range pending {
		if err := x.streamRow(p.row, p.cells, p.opts); err != nil {
			return err
		}
	}
	return nil
}

// streamRow hands a row to the stream writer, as high as its text needs.
func (x *xlsxWriter) streamRow(row int, cells []any, opts []excelize.RowOpts) error {
	if h := x.rowHeight(cells); h > 0 && len(opts) == 0 {
		opts = []excelize.RowOpts{{Height: h}}
	}
	ref, err := excelize.CoordinatesToCellName(1, row)
	if err == nil {
		err = x.sw.SetRow(ref, cells, opts...)
	}
	if err != nil {
		return fmt.Errorf("export: XLSX sheet %q, row %d: %w", x.sw.Sheet, row, err)
	}
	return nil
}

// lineHeight is the height of a line of SheetFont text, in points: that of
// a row of one line.
const lineHeight = 15

// rowHeight is the height, in points, that shows every line of the text of
// a row once wrapped at the widths of its columns (about a character a unit
// of width), or 0 for a row of one line. Neither Excel nor LibreOffice fits
// a row to its text when a file opens, only when a cell is edited: the
// lines of a taller text would be cut off, or drawn over the next rows.
func (x *xlsxWriter) rowHeight(cells []any) float64 {
	lines := 1
	for i, c := range cells {
		cell, ok := c.(excelize.Cell)
		text, isText := cell.Value.(string) // only text of several lines is a Cell
		if !ok || !isText {
			continue
		}
		width := maxColumnWidth
		if i < len(x.widths) {
			width = int(x.widths[i])
		}
		n := 0
		for line := range strings.Lines(text) {
			n += max(1, (utf8.RuneCountInString(strings.TrimSuffix(line, "\n"))+width-1)/width)
		}
		lines = max(lines, n)
	}
	if lines == 1 {
		return 0
	}
	return min(float64(lines*lineHeight), excelize.MaxRowHeight)
}

// cellWidth is about the width a cell's value takes, in characters, plus a
// margin.
func cellWidth(c any) float64 {
	const margin = 2
	switch c := c.(type) {
	case string:
		widest := 0
		for line := range strings.Lines(c) {
			widest = max(widest, utf8.RuneCountInString(strings.TrimSuffix(line, "\n")))
		}
		return float64(widest + margin)
	case excelize.Cell: // a Fixed, a Time, a bool or lines of text
		return cellWidth(c.Value)
	case bool:
		return 15 // VERDADEIRO, in capitals, wider than digits
	case time.Time:
		return float64(len(sheetDateTimeFormat) + margin)
	case int:
		return float64(len(strconv.Itoa(c)) + margin)
	case int64:
		return float64(len(strconv.FormatInt(c, 10)) + margin)
	case float64:
		return float64(len(strconv.FormatFloat(c, 'f', -1, 64)) + margin)
	}
	return 0
}

// cell is the StreamWriter value of v.
func (x *xlsxWriter) cell(v any) (any, error) {
	switch v := v.(type) {
	case nil, int, int64:
		return v, nil
	case bool:
		return x.styled(v, cellStyle{format: booleanFormat})
	case string:
		if v == "" {
			return nil, nil // no cell rather than an empty text cell
		}
		if strings.IndexByte(v, '\n') >= 0 {
			// Lines drawn one over the other and over the next rows,
			// as LibreOffice draws them unwrapped, cannot be read.
			return x.styled(Sanitize(v), cellStyle{wrap: true})
		}
		return Sanitize(v), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil
		}
		return v, nil
	case Fixed:
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			return nil, nil
		}
		if v.Places < 0 {
			return v.Value, nil
		}
		// Store the number as JSON and CSV show it, not more precisely.
		rounded, _ := strconv.ParseFloat(strconv.FormatFloat(v.Value, 'f', v.Places, 64), 64)
		format := "0"
		if v.Places > 0 {
			format += "." + strings.Repeat("0", v.Places)
		}
		return x.styled(rounded, cellStyle{format: format})
	case Time:
		at := v.sheetTime()
		if at.Year() < 1900 || at.Year() > 9999 {
			return x.cell(v.Text) // out of the range of spreadsheet dates
		}
		if v.Date {
			return x.styled(at, cellStyle{format: sheetDateFormat})
		}
		return x.styled(at, cellStyle{format: sheetDateTimeFormat})
	case []string:
		return x.cell(joinList(v))
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

// cellStyle is what the style of a body cell says: its number format, or
// that its text wraps.
type cellStyle struct {
	format string
	wrap   bool
}

// styled returns the cell of v in the style s.
func (x *xlsxWriter) styled(v any, s cellStyle) (excelize.Cell, error) {
	id, ok := x.styles[s]
	if !ok {
		style := &excelize.Style{}
		if s.format != "" {
			style.CustomNumFmt = &s.format
		}
		if s.wrap {
			style.Alignment = &excelize.Alignment{WrapText: true}
		}
		var err error
		if id, err = x.f.NewStyle(style); err != nil {
			return excelize.Cell{}, fmt.Errorf("cell style %+v: %w", s, err)
		}
		x.styles[s] = id
	}
	return excelize.Cell{StyleID: id, Value: v}, nil
}

// chartPlan is a Chart checked against its section.
type chartPlan struct {
	*Chart
	catCol, valCol int    // 1-based columns of the categories and values
	anchor         string // column of the chart's top left corner
}

// planChart checks that c names a section and two of its columns.
func planChart(c *Chart, sections []Section) (*chartPlan, error) {
	if c.Section < 0 || c.Section >= len(sections) {
		return nil, fmt.Errorf("export: chart section %d out of %d sections", c.Section, len(sections))
	}
	cols := sections[c.Section].Columns
	p := &chartPlan{Chart: c}
	for i, col := range cols {
		if col.Key == c.Categories {
			p.catCol = i + 1
		}
		if col.Key == c.Values {
			p.valCol = i + 1
		}
	}
	if p.catCol == 0 || p.valCol == 0 {
		return nil, fmt.Errorf("export: chart columns %q and %q are not both in section %q", c.Categories, c.Values, sections[c.Section].Name)
	}
	// The chart goes one empty column to the right of the widest table on
	// the sheet, at its top.
	width := 0
	for i := c.Section; i >= 0 && sections[i].Name == sections[c.Section].Name; i-- {
		width = max(width, len(sections[i].Columns))
	}
	for i := c.Section; i < len(sections) && sections[i].Name == sections[c.Section].Name; i++ {
		width = max(width, len(sections[i].Columns))
	}
	p.anchor, _ = excelize.ColumnNumberToName(width + 2)
	return p, nil
}

// addChart draws the planned chart over the rows first to x.row of the
// current sheet, the row above first being the table's header. excelize
// records the drawing in the worksheet that the open StreamWriter writes out
// when flushed, so this must come before endSheet.
func (x *xlsxWriter) addChart(p *chartPlan, first int) error {
	sheet := x.sw.Sheet
	ref := func(col, from, to int) string {
		name, _ := excelize.ColumnNumberToName(col)
		r := fmt.Sprintf("%s!$%s$%d", quoteSheet(sheet), name, from)
		if to > from {
			r += fmt.Sprintf(":$%s$%d", name, to)
		}
		return r
	}
	oneColor := false
	err := x.f.AddChart(sheet, p.anchor+"1", &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       ref(p.valCol, first-1, first-1), // the values' header
			Categories: ref(p.catCol, first, x.row),
			Values:     ref(p.valCol, first, x.row),
		}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: p.Title}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		VaryColors: &oneColor,
	})
	if err != nil {
		return fmt.Errorf("export: XLSX chart on sheet %q: %w", sheet, err)
	}
	return nil
}

// quoteSheet quotes a sheet name for a cell reference.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// maxSheetName is Excel's limit on a sheet name, in UTF-16 code units.
const maxSheetName = excelize.MaxSheetNameLength

// sheetName is the name of part n of a sheet: base itself for the first,
// "base (n)" after it, base shortened so that the whole fits Excel's limit.
func sheetName(base string, n int) string {
	suffix := ""
	if n > 1 {
		suffix = " (" + strconv.Itoa(n) + ")"
	}
	for utf16Len(base)+len(suffix) > maxSheetName {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base + suffix
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
