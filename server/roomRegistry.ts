import { RxSyncError } from '../lib/errors.js';
import type { BusNotice } from './hubBus.js';
import { backgroundTimer } from './backgroundTimer.js';
import { Room } from './room.js';
import type { RoomHost } from './roomHost.js';

/**
 * The loaded rooms of a hub: loads a room once however many hellos ask for it at the same time,
 * refuses new rooms past `maxRooms`, and unloads a room `unloadAfter` ms after it went idle (no
 * sessions, nothing left to write). With a bus, a room joins the bus before it reads the log (what
 * is heard meanwhile is handled once it is loaded) and leaves it when unloaded.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>();
  /** Bus leaves in progress, so a reload of the room joins after its leave. */
  private readonly leaving = new Map<string, Promise<void>>();
  /** The host rooms are built with; its `idle` must call {@link RoomRegistry.idle}. */
  host!: RoomHost;

  constructor(
    private readonly options: { maxRooms: number; unloadAfter: number; endToEnd: (room: string) => boolean; onCount: (n: number) => void },
  ) {}

  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** Every loaded room. */
  loaded(): IterableIterator<Room> {
    return this.rooms.values();
  }

  /** The room, loaded from the log if needed. Throws `E_HUB_FULL` past `maxRooms`. */
  async open(name: string): Promise<Room> {
    const loaded = this.rooms.get(name);
    if (loaded !== undefined) {
      this.cancelUnload(name);
      return loaded;
    }
    const pending = this.loading.get(name);
    if (pending !== undefined) return pending;
    if (this.rooms.size + this.loading.size >= this.options.maxRooms) {
      throw new RxSyncError('E_HUB_FULL', `The hub serves at most ${this.options.maxRooms} rooms`);
    }
    const load = this.load(name).then(
      (room) => {
        this.loading.delete(name);
        this.rooms.set(name, room);
        this.options.onCount(this.rooms.size);
        return room;
      },
      (error: unknown) => {
        this.loading.delete(name);
        throw error;
      },
    );
    this.loading.set(name, load);
    return load;
  }

  /** Schedules the unload of an idle room (a join before the timer fires keeps it). */
  idle(name: string): void {
    const room = this.rooms.get(name);
    if (room === undefined || !room.idle || this.unloadTimers.has(name)) return;
    const timer = setTimeout(() => {
      this.unloadTimers.delete(name);
      if (this.rooms.get(name) === room && room.idle) {
        this.rooms.delete(name);
        this.options.onCount(this.rooms.size);
        this.leave(room);
      }
    }, this.options.unloadAfter);
    backgroundTimer(timer);
    this.unloadTimers.set(name, timer);
  }

  /** Resolves once loads in progress ended and every room's queued ops are written (for a drain). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.loading.values()]);
    await Promise.all([...this.rooms.values()].map((room) => room.settled()));
  }

  /** Waits for loads and pending writes, then forgets every room (for shutdown), telling the other hubs. */
  async close(): Promise<void> {
    await this.settled();
    for (const name of [...this.unloadTimers.keys()]) this.cancelUnload(name);
    for (const room of this.rooms.values()) this.leave(room);
    this.rooms.clear();
    await Promise.allSettled([...this.leaving.values()]);
  }

  private async load(name: string): Promise<Room> {
    const { bus } = this.host;
    const e2e = this.options.endToEnd(name);
    if (bus === undefined) return Room.load(name, e2e, this.host);
    await this.leaving.get(name);
    // Joined first, so no event published while the log is read is missed; held until loaded.
    let room: Room | undefined;
    const early: BusNotice[] = [];
    await bus.join(name, (notice) => (room === undefined ? early.push(notice) : room.notice(notice)));
    try {
      const loaded = await Room.load(name, e2e, this.host);
      for (const notice of early) loaded.notice(notice);
      room = loaded;
      loaded.cluster?.started();
      return loaded;
    } catch (error) {
      await bus.leave(name).catch(() => undefined);
      throw error;
    }
  }

  private leave(room: Room): void {
    const { bus } = this.host;
    if (bus === undefined) return;
    room.cluster?.gone();
    const left = bus
      .leave(room.name)
      .catch((error: unknown) => this.host.reportError(error))
      .finally(() => {
        if (this.leaving.get(room.name) === left) this.leaving.delete(room.name);
      });
    this.leaving.set(room.name, left);
  }

  private cancelUnload(name: string): void {
    clearTimeout(this.unloadTimers.get(name));
    this.unloadTimers.delete(name);
  }
}
