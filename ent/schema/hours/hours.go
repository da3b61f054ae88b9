// Package hours describes a school's weekly service hours.
package hours

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
