package db

import (
	"database/sql/driver"
	"fmt"
	"math"
	"slices"

	"modernc.org/sqlite"
)

// SQLite lacks some functions the reports use; they are registered here,
// for every connection the "sqlite" driver opens, under PostgreSQL's names
// and with its semantics, so that the report SQL differs between the two
// databases in syntax only.
func init() {
	sqlite.MustRegisterFunction("percentile_cont", &sqlite.FunctionImpl{
		NArgs:         2,
		Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &percentileCont{}, nil
		},
	})
}

// percentileCont is the aggregate percentile_cont(value, fraction), SQLite's
// spelling of PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY
// value): the value at fraction (0 to 1) of the way through the sorted
// values, interpolated linearly between the two closest ones. NULL values
// are ignored; the result is NULL when no value is left or the fraction is
// NULL. The fraction must be the same for every row of a group.
type percentileCont struct {
	values      []float64
	fraction    float64
	hasFraction bool // a row has been seen and fraction holds its fraction
	nullFrac    bool // the fraction is NULL
}

func (p *percentileCont) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	frac, isNull, err := number(args[1])
	if err != nil {
		return fmt.Errorf("percentile_cont: fraction: %w", err)
	}
	switch {
	case isNull:
		p.nullFrac = true
	case frac < 0 || frac > 1 || math.IsNaN(frac):
		return fmt.Errorf("percentile_cont: percentile value %v is not between 0 and 1", frac)
	case p.hasFraction && frac != p.fraction:
		return fmt.Errorf("percentile_cont: fraction changed within a group (%v, then %v)", p.fraction, frac)
	default:
		p.fraction, p.hasFraction = frac, true
	}
	v, isNull, err := number(args[0])
	if err != nil {
		return fmt.Errorf("percentile_cont: value: %w", err)
	}
	if !isNull {
		p.values = append(p.values, v)
	}
	return nil
}

// WindowInverse removes a value, for use as a window function.
func (p *percentileCont) WindowInverse(_ *sqlite.FunctionContext, args []driver.Value) error {
	v, isNull, err := number(args[0])
	if err != nil || isNull {
		return err
	}
	if i := slices.Index(p.values, v); i >= 0 {
		p.values = slices.Delete(p.values, i, i+1)
	}
	return nil
}

func (p *percentileCont) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if p.nullFrac || !p.hasFraction || len(p.values) == 0 {
		return nil, nil
	}
	return percentile(p.values, p.fraction), nil
}

func (p *percentileCont) Final(*sqlite.FunctionContext) {}

// percentile sorts values and interpolates as PostgreSQL does: between the
// values at ranks floor and ceil of fraction × (n − 1), counting from 0.
func percentile(values []float64, fraction float64) float64 {
	slices.Sort(values)
	pos := fraction * float64(len(values)-1)
	lo, hi := math.Floor(pos), math.Ceil(pos)
	a, b := values[int(lo)], values[int(hi)]
	if lo == hi {
		return a
	}
	return a + (pos-lo)*(b-a)
}

// number reads an SQL number argument; NULL is reported as isNull.
func number(v driver.Value) (n float64, isNull bool, err error) {
	switch v := v.(type) {
	case nil:
		return 0, true, nil
	case int64:
		return float64(v), false, nil
	case float64:
		return v, false, nil
	}
	return 0, false, fmt.Errorf("%v (%T) is not a number", v, v)
}
