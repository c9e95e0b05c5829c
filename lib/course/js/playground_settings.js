// The settings of a playground run, in the order the page's address writes them. Their
// defaults and ranges are the traits of lib.course.playground.Playground.
export const SETTINGS = ["task", "lag", "length", "cell", "hidden", "lr", "clip", "keep_bias", "input_bias", "seed"];
