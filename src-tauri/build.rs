fn main() {
    // The UI is embedded at compile time: a rebuilt ui/dist must rebuild the shell too.
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}
