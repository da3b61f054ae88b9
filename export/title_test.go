package export

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestSectionTitle: a title heads its sheet in XLSX, in bold, formulas
// neutralised, above an empty row, and widens no column; the chart still
// plots its section; CSV does not show it; a sheet too short for it leaves
// it out.
func TestSectionTitle(t *testing.T) {
	title := "=Relatório do 1º bimestre, turmas A e B"
	sections := []Section{
		{Name: SummarySheet, Title: title, Columns: SummaryColumns, Rows: rowsOf([]any{"Total de perguntas", 41})},
		{Name: SummarySheet, Title: "ignored: not the first table of its sheet", Columns: DisciplineCountColumns,
			Rows: rowsOf([]any{"Matemática", 41}, []any{"Física", 7})},
		{Name: StudentsSheet, Columns: StudentColumns, Rows: rowsOf()},
	}
	chart := &Chart{Title: "Perguntas por disciplina", Section: 1, Categories: "discipline", Values: "questions"}
	var b bytes.Buffer
	if err := WriteXLSXSections(&b, sections, chart, XLSXOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	rows, err := f.GetRows(SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	want := "[['" + title + "] [] [Indicador Valor] [Total de perguntas 41] [] [Disciplina Perguntas] [Matemática 41] [Física 7]]"
	if got := fmt.Sprint(rows); got != want {
		t.Errorf("Resumo:\n got %s\nwant %s", got, want)
	}
	if id, _ := f.GetCellStyle(SummarySheet, "A1"); id == 0 {
		t.Error("the title has no style, want bold")
	}
	if w, _ := f.GetColWidth(SummarySheet, "A"); w != float64(len("Total de perguntas")+2) {
		t.Errorf("column A is %v wide: the title widened it", w)
	}
	// The frozen rows and the autofilter are those of the header below
	// the title.
	_, sheetXML := zipEntries(t, b.Bytes(), "xl/worksheets/sheet1.xml")
	pane := regexp.MustCompile(`<pane [^>]*>`).FindString(sheetXML)
	for _, attr := range []string{`ySplit="3"`, `topLeftCell="A4"`, `state="frozen"`} {
		if !strings.Contains(pane, attr) {
			t.Errorf("pane %q, want %s", pane, attr)
		}
	}
	if want := `<autoFilter ref="$A$3:$B$4"`; !strings.Contains(sheetXML, want) {
		t.Errorf("no %s> in the titled sheet", want)
	}
	_, chartXML := zipEntries(t, b.Bytes(), "xl/charts/chart1.xml")
	if !bytes.Contains([]byte(chartXML), []byte("$A$7:$A$8")) {
		t.Error("the chart does not plot the rows below the title")
	}
	if rows, _ := f.GetRows(StudentsSheet); len(rows) != 1 {
		t.Errorf("Alunos has %d rows, want the header only", len(rows))
	}

	var c bytes.Buffer
	sections[0].Rows = rowsOf([]any{"Total de perguntas", 41})
	if err := WriteCSVSections(&c, sections[0]); err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), csvLines("Indicador,Valor", "Total de perguntas,41"); got != want {
		t.Errorf("CSV %q, want %q", got, want)
	}

	b.Reset()
	short := []Section{{Name: "A", Title: title, Columns: columns(1), Rows: numbered(5, 1)}}
	if err := WriteXLSXSections(&b, short, nil, XLSXOptions{MaxRows: 3}); err != nil {
		t.Fatal(err)
	}
	if a1, _ := openXLSX(t, b.Bytes()).GetCellValue("A", "A1"); a1 != "H1" {
		t.Errorf("with 3 rows a sheet, A1 = %q, want the header", a1)
	}
}
