// The video a prompt "generates": its picture turning and changing hue, with its tune as the
// soundtrack, encoded by ffmpeg as MP4 (H.264 + AAC, yuv420p, moov atom first), which every
// browser plays.
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { renderImage } from "./image.mjs";
import { renderTune } from "./tune.mjs";

const SECONDS = 3;
const SIZE = 320;
const FPS = 12;

function ffmpeg(args, signal) {
  return new Promise((resolve, reject) => {
    const child = spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", ...args], {
      stdio: ["ignore", "ignore", "pipe"],
      signal,
    });
    let errors = "";
    child.stderr.on("data", (d) => (errors += d));
    child.once("error", (err) =>
      reject(err.code === "ENOENT" ? new Error("ffmpeg is not installed (scripts/dev installs it)") : err),
    );
    child.once("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${errors.trim()}`))));
  });
}

/** The prompt's clip as MP4 bytes; `signal` stops ffmpeg (a cancelled job). */
export async function renderVideo(prompt, { signal } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "local-gen-"));
  try {
    await fs.writeFile(path.join(dir, "image.png"), renderImage(prompt));
    await fs.writeFile(path.join(dir, "tune.wav"), renderTune(prompt));
    const out = path.join(dir, "clip.mp4");
    await ffmpeg([
      "-loop", "1", "-framerate", String(FPS), "-i", path.join(dir, "image.png"),
      "-i", path.join(dir, "tune.wav"),
      "-t", String(SECONDS),
      "-vf", `rotate=2*PI*t/${SECONDS}:fillcolor=black,hue=H=2*PI*t/${SECONDS},scale=${SIZE}:${SIZE},format=yuv420p`,
      "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main",
      "-c:a", "aac", "-b:a", "64k",
      "-movflags", "+faststart",
      out,
    ], signal);
    return await fs.readFile(out);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
