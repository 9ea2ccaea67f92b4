// A wrong field name is a compile error, not a 422 at run time.
toolsmith::toolkit!("../../../../catalog/tests/fixtures/valid/demo");

fn main() {
    let _ = demo::UpdateThing { thing_id: "t1".into(), titel: "typo".into(), ..Default::default() };
}
