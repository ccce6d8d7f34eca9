/**
 * Preact contexts shared by the tabs: the live store and the time zone of displayed times.
 *
 * @module
 */

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { LiveStore } from "./live.ts";
import { DEFAULT_TIME_ZONE } from "./format.ts";

/** The live store of the page. */
export const StoreContext = createContext<LiveStore>(new LiveStore());

/** The IANA time zone times are shown in (IST unless the server says otherwise). */
export const TimeZoneContext = createContext<string>(DEFAULT_TIME_ZONE);

/** The live store. */
export function useStore(): LiveStore {
  return useContext(StoreContext);
}

/** The time zone of displayed times. */
export function useTimeZone(): string {
  return useContext(TimeZoneContext);
}
