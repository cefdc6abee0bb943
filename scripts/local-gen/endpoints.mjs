// The endpoints this server serves, one per content type: what each renders, and as what.
import { renderImage } from "./image.mjs";
import { renderText } from "./text.mjs";
import { renderTune } from "./tune.mjs";
import { renderVideo } from "./video.mjs";

/** endpoint id → {contentType, extension, render(prompt, {signal}) → bytes (or a promise of them)} */
export const ENDPOINTS = new Map([
  ["local-text", { contentType: "text/plain; charset=utf-8", extension: "txt", render: renderText }],
  ["local-image", { contentType: "image/png", extension: "png", render: renderImage }],
  ["local-audio", { contentType: "audio/wav", extension: "wav", render: renderTune }],
  ["local-video", { contentType: "video/mp4", extension: "mp4", render: renderVideo }],
]);
