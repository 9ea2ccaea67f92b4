toolsmith::toolkit!("specs/nope.yaml");

fn main() {}
