// Package hours describes a school's weekly service hours.
package hours

import "time"

// Window is one weekly window of service, in the school's local time:
// Weekday 0 is Sunday; minutes count from local midnight, End exclusive.
type Window struct {
	Weekday     int `json:"weekday"`
	StartMinute int `json:"start_minute"`
	EndMinute   int `json:"end_minute"`
}

// Default is Monday to Saturday, 07:00 to 22:00.
func Default() []Window {
	w := make([]Window, 0, 6)
	for day := 1; day <= 6; day++ {
		w = append(w, Window{Weekday: day, StartMinute: 7 * 60, EndMinute: 22 * 60})
	}
	return w
}

// Minutes returns how many minutes of the interval [from, to) fall inside
// the weekly windows, reckoned in loc (daylight-saving days included). It
// is the "adjusted" response time of a question: the time the school's
// service was open while the question waited. It is 0 when to is not
// after from.
func Minutes(windows []Window, loc *time.Location, from, to time.Time) float64 {
	if !to.After(from) || len(windows) == 0 {
		return 0
	}
	from, to = from.In(loc), to.In(loc)
	var open time.Duration
	// Days are stepped by their date, not from their local midnight: where
	// daylight saving starts at midnight (São Paulo until 2019) that
	// midnight does not exist, time.Date answers 23:00 of the day before,
	// and stepping from it never left that day. Noon exists every day.
	y, m, d := from.Date()
	for ; time.Date(y, m, d, 0, 0, 0, 0, loc).Before(to); d++ {
		day := time.Date(y, m, d, 12, 0, 0, 0, loc)
		y, m, d = day.Date()
		for _, w := range windows {
			if w.Weekday != int(day.Weekday()) {
				continue
			}
			start := time.Date(y, m, d, 0, w.StartMinute, 0, 0, loc)
			end := time.Date(y, m, d, 0, w.EndMinute, 0, 0, loc)
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if end.After(start) {
				open += end.Sub(start)
			}
		}
	}
	return open.Minutes()
}
