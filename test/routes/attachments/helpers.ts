import { createApp } from "../../../src/app";
import { call } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { bearer } from "../../helpers/identity";
import { insertTask } from "../../helpers/inserted-tasks";
import { createWorkspace } from "../../helpers/workspaces";
import { userAt, type Caller, type Time } from "../workspaces/requests";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A file of `size` bytes starting with `head` (bytes or text), the rest a pattern. */
export function fileOf(head: number[] | string, size = 2048): Uint8Array<ArrayBuffer> {
  const start = typeof head === "string" ? new TextEncoder().encode(head) : Uint8Array.from(head);
  const bytes = new Uint8Array(Math.max(size, start.byteLength));
  for (let index = 0; index < bytes.byteLength; index++) bytes[index] = index % 251;
  bytes.set(start);
  return bytes;
}

export const png = (size?: number) => fileOf(PNG_SIGNATURE, size);

export interface UploadOptions {
  type?: string;
  name?: string;
  /** The Content-Length to state; the body's own length by default, none when null. */
  length?: number | null;
  body?: BodyInit;
}

/** A workspace with an owner, a member and a viewer, a live task, and an app on a clock the test moves. */
export async function attachmentsSetting(time: Time = manualClock()) {
  const app = createApp({ clock: time.clock });
  const [owner, member, viewer] = [await userAt(time), await userAt(time), await userAt(time)];
  const workspaceId = await createWorkspace(owner, [
    { user: member, role: "member" },
    { user: viewer, role: "viewer" },
  ]);
  const taskId = await insertTask(workspaceId, owner.id);
  const path = `/v1/workspaces/${workspaceId}/tasks/${taskId}/attachments`;
  /** Uploads `bytes` to the task as `caller`. */
  const upload = (caller: Caller, bytes: Uint8Array<ArrayBuffer>, options: UploadOptions = {}) => {
    const headers: Record<string, string> = bearer(caller.accessToken, { "Content-Type": options.type ?? "image/png" });
    const length = options.length === undefined ? bytes.byteLength : options.length;
    if (length !== null) headers["Content-Length"] = String(length);
    return call(app, `${path}?name=${encodeURIComponent(options.name ?? "picture.png")}`, { method: "POST", headers, body: options.body ?? bytes });
  };
  const send = (caller: Caller, method: string, target: string) => call(app, target, { method, headers: bearer(caller.accessToken) });
  return { app, time, owner, member, viewer, workspaceId, taskId, path, upload, send };
}
